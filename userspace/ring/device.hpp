// /dev/icmptrace: open, ICMPT_IOC_INFO, and the mmap of every ring.
#pragma once

#include <linux/icmptrace.h>

#include <string>
#include <vector>

#include "ring/mapping.hpp"
#include "ring/ring_view.hpp"
#include "util/unique_fd.hpp"

namespace icmptrace {

// Where the module's udev rule puts the device; -d names another.
constexpr const char *kDefaultDevice = "/dev/icmptrace";

// Throws Error(kExitAbi) unless info is something this reader can map.
void validate_info(const icmpt_info &info, long page_size);

class Device {
public:
	// Throws Error with the exit code for the failure (see exit_codes.hpp).
	explicit Device(const std::string &path);

	int fd() const { return fd_.get(); }
	const icmpt_info &info() const { return info_; }
	const std::vector<RingView> &rings() const { return views_; }

private:
	void map_rings();

	std::string path_;
	UniqueFd fd_;
	icmpt_info info_{};
	std::vector<Mapping> mappings_;	// own the memory views_ point into
	std::vector<RingView> views_;
};

} // namespace icmptrace
