#include "ring/device.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <limits>

#include "util/error.hpp"

namespace icmptrace {
namespace {

[[noreturn]] void throw_open_error(const std::string &path, int err)
{
	switch (err) {
	case ENOENT:
		// Only the default path says anything about the module: a path
		// given with -d may simply be mistyped.
		if (path != kDefaultDevice)
			throw Error(kExitNoDevice, errno_message(path, err) +
						   " (the device given with -d)");
		throw Error(kExitNoDevice, path + " not found: is the icmptrace module "
					   "loaded? (modprobe icmptrace)");
	case ENODEV:
	case ENXIO:
		throw Error(kExitNoDevice, path + " has no driver behind it: is the "
					   "icmptrace module loaded? (modprobe icmptrace)");
	case EACCES:
	case EPERM:
		throw Error(kExitPermission,
			    errno_message(path, err) + ": icmptrace needs root");
	case EBUSY:
		throw Error(kExitBusy, path + " is busy: another icmptrace reader is "
					 "running (the module allows one reader at a time)");
	default:
		throw Error(kExitRuntime, errno_message("open " + path, err));
	}
}

[[noreturn]] void bad_info(const std::string &what)
{
	throw Error(kExitAbi, "bad device info: " + what);
}

bool is_pow2(uint64_t v) { return v && !(v & (v - 1)); }

} // namespace

void validate_info(const icmpt_info &info, long page_size)
{
	if (info.abi_version != ICMPT_ABI_VERSION)
		throw Error(kExitAbi, "ABI mismatch: the module speaks version " +
					      std::to_string(info.abi_version) +
					      ", this reader version " +
					      std::to_string(ICMPT_ABI_VERSION) +
					      ": use the reader built with the module");
	if (page_size <= 0 || info.page_size != static_cast<uint64_t>(page_size))
		bad_info("page_size " + std::to_string(info.page_size) +
			 " is not the system page size " + std::to_string(page_size));
	if (info.nr_rings == 0 || info.nr_rings > 65536)
		bad_info("nr_rings " + std::to_string(info.nr_rings));
	// 1 TiB per ring is far beyond anything sane; it also keeps the
	// arithmetic below from overflowing.
	if (!is_pow2(info.data_size) || info.data_size % info.page_size ||
	    info.data_size > (1ULL << 40))
		bad_info("data_size " + std::to_string(info.data_size) +
			 " is not a power-of-two multiple of the page size");
	if (info.ring_stride != 2ULL * info.page_size + 2ULL * info.data_size)
		bad_info("ring_stride " + std::to_string(info.ring_stride) +
			 " is not 2 * page_size + 2 * data_size");
	if (info.event_size < sizeof(icmpt_rec_hdr) || info.event_size % ICMPT_REC_ALIGN)
		bad_info("event_size " + std::to_string(info.event_size));
	if (info.ring_stride > static_cast<uint64_t>(std::numeric_limits<off_t>::max()) /
				       info.nr_rings)
		bad_info("rings do not fit in a file offset");
}

Device::Device(const std::string &path) : path_(path)
{
	// A -d path that is a file or a directory is a mistake, not a module of
	// another ABI (as the ioctl would say) nor a lack of root (as a read-only
	// file's open would).
	struct stat st {};
	if (::stat(path.c_str(), &st) == 0 && !S_ISCHR(st.st_mode))
		throw Error(kExitNoDevice,
			    path + " is not a character device: not the icmptrace device");
	fd_.reset(::open(path.c_str(), O_RDWR | O_CLOEXEC));
	if (!fd_.valid())
		throw_open_error(path, errno);
	if (::ioctl(fd_.get(), ICMPT_IOC_INFO, &info_) < 0) {
		int err = errno;
		if (err == ENOTTY || err == EINVAL)
			throw Error(kExitAbi, errno_message(path + ": ICMPT_IOC_INFO", err) +
						      ": not an icmptrace device, or an "
						      "incompatible module");
		throw Error(kExitRuntime, errno_message(path + ": ICMPT_IOC_INFO", err));
	}
	validate_info(info_, ::sysconf(_SC_PAGESIZE));
	map_rings();
}

void Device::map_rings()
{
	const uint64_t page = info_.page_size;
	for (uint32_t i = 0; i < info_.nr_rings; ++i) {
		const off_t base = static_cast<off_t>(i * info_.ring_stride);
		// The one writable page, then producer page + both data copies RO.
		// Keep raw addresses, not Mapping references: the vector may move
		// the Mapping objects, never the memory.
		void *cons = mappings_.emplace_back(fd_.get(), base, page,
						    PROT_READ | PROT_WRITE).data();
		void *rest = mappings_.emplace_back(fd_.get(), base + page,
						    page + 2 * info_.data_size, PROT_READ).data();
		RingView v;
		v.consumer = static_cast<icmpt_consumer_page *>(cons);
		v.producer = static_cast<const icmpt_producer_page *>(rest);
		v.data = static_cast<const unsigned char *>(rest) + page;
		v.data_size = info_.data_size;
		if (v.producer->data_size != info_.data_size)
			bad_info("ring " + std::to_string(i) + " producer page data_size " +
				 std::to_string(v.producer->data_size) + " != " +
				 std::to_string(info_.data_size));
		views_.push_back(v);
	}
}

} // namespace icmptrace
