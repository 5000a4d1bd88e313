#include "context/cgroup_resolver.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace icmptrace {
namespace {

// include/linux/exportfs.h: kernfs (cgroup2) handles carry the 64-bit node id.
constexpr int kFileidKernfs = 0xfe;

std::string unescape_octal(std::string_view s)
{
	std::string out;
	for (size_t i = 0; i < s.size(); ++i) {
		auto oct = [&](size_t k, char hi) { return s[k] >= '0' && s[k] <= hi; };
		if (s[i] == '\\' && i + 3 < s.size() && oct(i + 1, '3') && oct(i + 2, '7') &&
		    oct(i + 3, '7')) {
			out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 +
						 (s[i + 3] - '0'));
			i += 3;
		} else {
			out += s[i];
		}
	}
	return out;
}

std::string read_file(const char *path)
{
	std::ifstream f(path);
	std::ostringstream ss;
	ss << f.rdbuf();
	return ss.str();
}

} // namespace

std::string find_cgroup2_mount(std::string_view mountinfo)
{
	while (!mountinfo.empty()) {
		size_t nl = mountinfo.find('\n');
		std::string_view line = mountinfo.substr(0, nl);
		mountinfo.remove_prefix(nl == std::string_view::npos ? mountinfo.size() : nl + 1);

		std::vector<std::string_view> f;
		size_t i = 0;
		while (i < line.size()) {
			size_t end = line.find(' ', i);
			if (end == std::string_view::npos)
				end = line.size();
			if (end > i)
				f.push_back(line.substr(i, end - i));
			i = end + 1;
		}
		// The optional fields end at "-"; fstype follows it.
		size_t dash = 6;
		while (dash < f.size() && f[dash] != "-")
			++dash;
		if (f.size() < 5 || dash + 1 >= f.size() || f[dash + 1] != "cgroup2")
			continue;
		return unescape_octal(f[4]);
	}
	return "";
}

CgroupResolver::CgroupResolver()
	: CgroupResolver(find_cgroup2_mount(read_file("/proc/self/mountinfo")))
{
}

CgroupResolver::CgroupResolver(const std::string &mount) : mount_(mount)
{
	if (!mount_.empty())
		mount_fd_.reset(::open(mount_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
}

std::optional<std::string> CgroupResolver::resolve(uint64_t cgroup_id)
{
	if (!mount_fd_.valid() || cgroup_id == 0)
		return std::nullopt;
	struct {
		struct file_handle fh;
		uint64_t id;
	} h;
	h.fh.handle_bytes = sizeof(h.id);
	h.fh.handle_type = kFileidKernfs;
	std::memcpy(&h.id, &cgroup_id, sizeof(h.id));
	// O_PATH: we only want its name, not to read the directory.
	UniqueFd fd(::open_by_handle_at(mount_fd_.get(), &h.fh, O_PATH | O_CLOEXEC));
	if (!fd.valid())
		return std::nullopt;	// ESTALE: no such cgroup (any more)
	char buf[4096];
	std::string link = "/proc/self/fd/" + std::to_string(fd.get());
	ssize_t n = ::readlink(link.c_str(), buf, sizeof(buf));
	if (n <= 0 || static_cast<size_t>(n) >= sizeof(buf))
		return std::nullopt;
	std::string_view p(buf, static_cast<size_t>(n));
	if (p.ends_with(" (deleted)"))
		return std::nullopt;
	// Relative to the mount: the runtime's naming starts at the cgroup root.
	if (mount_ != "/" && p.starts_with(mount_))
		p.remove_prefix(mount_.size());
	return p.empty() ? std::string("/") : std::string(p);
}

std::optional<std::string> CgroupResolver::path(uint64_t cgroup_id)
{
	return resolve(cgroup_id);
}

const ContainerRef &CgroupResolver::container(uint64_t cgroup_id)
{
	if (!mount_fd_.valid() || cgroup_id == 0)
		return none_;
	if (const ContainerRef *c = hits_.find(cgroup_id))
		return *c;
	const Clock::time_point now = Clock::now();
	if (const Clock::time_point *t = misses_.find(cgroup_id)) {
		if (now - *t < kMissTtl)
			return none_;
		misses_.erase(cgroup_id);
	}
	std::optional<std::string> p = resolve(cgroup_id);
	if (!p) {
		misses_.put(cgroup_id, now);
		return none_;
	}
	// Cached for good, container or not: a cgroup id is never reused (64-bit
	// kernfs ids only grow), and runtimes do not rename their cgroups.
	return hits_.put(cgroup_id, container_from_cgroup_path(*p));
}

} // namespace icmptrace
