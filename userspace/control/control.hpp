// A connection to the icmptrace generic netlink family: configuration,
// statistics, and the filter session of this run.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "control/genl_msg.hpp"
#include "util/error.hpp"

struct nl_sock;

namespace icmptrace {

class Control {
public:
	// Throws Error(kExitNoDevice) when the kernel lacks the family.
	Control();
	~Control();
	Control(const Control &) = delete;
	Control &operator=(const Control &) = delete;

	KernelConfig get_config();
	KernelStats get_stats();
	FilterState get_filter();
	void set_enabled(bool on);
	// The filter belongs to this object's socket: closing it (destructor,
	// exit, kill) removes it in the kernel.
	void set_filter(const FilterSpec &f);
	void clear_filter();
	// Packet bytes per record for this session, 0..ICMPT_SNAPLEN_MAX (0:
	// none); like the filter it belongs to this socket and goes with it.
	void set_snaplen(uint32_t bytes);

private:
	// Sends cmd (attributes added by fill) and returns the reply message,
	// empty for an ack-only command.  Kernel errors become command_error(what).
	std::vector<unsigned char> request(uint8_t cmd, const char *what,
					   const std::function<int(nl_msg *)> &fill);

	struct SockDeleter {
		void operator()(nl_sock *s) const;
	};
	std::unique_ptr<nl_sock, SockDeleter> sock_;
	int family_ = 0;
};

// The kernel's error err (and its extack message ext) for what a command
// did, named as a user knows it ("enable", "setting the filter"), not by its
// number; EPERM/EACCES say what it needs.
Error command_error(const std::string &what, int err, const std::string &ext);

// "icmptrace stats|status|enable|disable ...": returns the exit code.
bool is_control_command(const std::string &arg);
int run_control_command(const std::vector<std::string> &args);

} // namespace icmptrace
