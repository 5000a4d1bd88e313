// Container id from a cgroup v2 path, the way container runtimes name the
// cgroups they create (tracee's rule: the first path component, from the
// root, that holds a 64-hex id, so a nested container reports the outer one).
#pragma once

#include <string>
#include <string_view>

namespace icmptrace {

struct ContainerRef {
	std::string id;			// 64 lowercase hex digits, "" if none
	const char *runtime = "";	// "docker", "containerd", "crio", "podman", "systemd", ""
};

//   docker       .../docker-<id>.scope (systemd driver), .../docker/<id> (cgroupfs)
//   containerd   .../cri-containerd-<id>.scope, ...:cri-containerd:<id>
//   cri-o        .../crio-<id>.scope
//   podman       .../libpod-<id>.scope (libpod-conmon-<id>.scope is the monitor)
//   kubepods     .../kubepods/burstable/pod<uid>/<id> (cgroupfs driver)
//   other scopes .../<name>-<id>.scope (nerdctl, ...), runtime "systemd"
ContainerRef container_from_cgroup_path(std::string_view path);

// What ContainerRef::id holds when not empty: 64 lowercase hex digits.
bool is_container_id(std::string_view id);

// docker's short form: the first 12 hex digits.
std::string_view short_container_id(std::string_view id);

} // namespace icmptrace
