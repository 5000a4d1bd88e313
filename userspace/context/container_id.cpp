#include "context/container_id.hpp"

#include <algorithm>

namespace icmptrace {
namespace {

constexpr size_t kIdLen = 64;

bool is_id(std::string_view s)
{
	return s.size() == kIdLen && std::all_of(s.begin(), s.end(), [](char c) {
		       return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
			      (c >= 'A' && c <= 'F');
	       });
}

bool is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

std::string lower(std::string_view s)
{
	std::string out(s);
	std::transform(out.begin(), out.end(), out.begin(),
		       [](char c) { return c >= 'A' && c <= 'F' ? char(c - 'A' + 'a') : c; });
	return out;
}

bool strip_prefix(std::string_view &s, std::string_view prefix)
{
	if (!s.starts_with(prefix))
		return false;
	s.remove_prefix(prefix.size());
	return true;
}

// The id and runtime one path component names, if any.
ContainerRef from_component(std::string_view comp, std::string_view parent)
{
	if (comp.size() < kIdLen)
		return {};
	const bool scope = comp.ends_with(".scope");
	std::string_view name = comp;
	if (scope)
		name.remove_suffix(6);

	// containerd with the cgroupfs driver under systemd: "<slice>:cri-containerd:<id>"
	constexpr std::string_view cri = ":cri-containerd:";
	if (size_t at = name.rfind(cri); at != std::string_view::npos) {
		std::string_view id = name.substr(at + cri.size());
		return is_id(id) ? ContainerRef{lower(id), "containerd"} : ContainerRef{};
	}
	if (is_id(name))	// bare id: docker/kubepods with the cgroupfs driver
		return {lower(name), parent == "docker" ? "docker" : ""};
	if (!scope)
		return {};

	static const struct {
		std::string_view prefix;
		const char *runtime;
	} known[] = {
		{"docker-", "docker"},
		{"cri-containerd-", "containerd"},
		{"crio-", "crio"},
		{"libpod-", "podman"},
	};
	for (const auto &k : known) {
		std::string_view id = name;
		// "libpod-conmon-<id>", "crio-conmon-<id>": the monitor, not the
		// container; is_id() refuses them since "conmon-" is left over.
		if (strip_prefix(id, k.prefix))
			return is_id(id) ? ContainerRef{lower(id), k.runtime} : ContainerRef{};
	}
	// Any other "<name>-<id>.scope" a runtime made through systemd.
	size_t dash = name.size() - kIdLen;
	if (dash > 0 && name[dash - 1] == '-' && is_id(name.substr(dash)) &&
	    !name.substr(0, dash - 1).ends_with("conmon"))
		return {lower(name.substr(dash)), "systemd"};
	return {};
}

} // namespace

ContainerRef container_from_cgroup_path(std::string_view path)
{
	std::string_view parent;
	while (!path.empty()) {
		size_t slash = path.find('/');
		std::string_view comp = path.substr(0, slash);
		if (!comp.empty()) {
			ContainerRef r = from_component(comp, parent);
			if (!r.id.empty())
				return r;
			parent = comp;
		}
		if (slash == std::string_view::npos)
			break;
		path.remove_prefix(slash + 1);
	}
	return {};
}

bool is_container_id(std::string_view id)
{
	return id.size() == kIdLen && std::all_of(id.begin(), id.end(), is_lower_hex);
}

std::string_view short_container_id(std::string_view id)
{
	return id.substr(0, std::min<size_t>(id.size(), 12));
}

} // namespace icmptrace
