// A bounded map that forgets the least recently used entry when full: the
// reader's caches (cgroup paths, tasks, UTS names) must not grow with the
// number of distinct ids a long trace sees.
#pragma once

#include <cstddef>
#include <functional>
#include <list>
#include <unordered_map>
#include <utility>

namespace icmptrace {

template <typename K, typename V, typename Hash = std::hash<K>>
class LruCache {
public:
	explicit LruCache(size_t capacity) : capacity_(capacity ? capacity : 1) {}

	// The entry, now the most recently used; nullptr if absent.
	V *find(const K &key)
	{
		auto it = index_.find(key);
		if (it == index_.end())
			return nullptr;
		order_.splice(order_.begin(), order_, it->second);
		return &it->second->second;
	}

	// Inserts or replaces; evicts the least recently used entry when full.
	V &put(const K &key, V value)
	{
		if (V *v = find(key)) {
			*v = std::move(value);
			return *v;
		}
		if (order_.size() >= capacity_) {
			index_.erase(order_.back().first);
			order_.pop_back();
		}
		order_.emplace_front(key, std::move(value));
		index_.emplace(key, order_.begin());
		return order_.front().second;
	}

	bool erase(const K &key)
	{
		auto it = index_.find(key);
		if (it == index_.end())
			return false;
		order_.erase(it->second);
		index_.erase(it);
		return true;
	}

	size_t size() const { return order_.size(); }
	size_t capacity() const { return capacity_; }

private:
	using Entry = std::pair<K, V>;
	size_t capacity_;
	std::list<Entry> order_;	// most recently used first
	std::unordered_map<K, typename std::list<Entry>::iterator, Hash> index_;
};

} // namespace icmptrace
