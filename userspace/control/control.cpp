#include "control/control.hpp"

#include <linux/icmptrace.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/socket.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "util/error.hpp"
#include "util/exit_codes.hpp"

namespace icmptrace {
namespace {

struct MsgDeleter {
	void operator()(nl_msg *m) const { nlmsg_free(m); }
};

// The extack message of an error, if the kernel sent one.
std::string extack_message(const nlmsghdr *nlh)
{
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return "";
	auto *e = static_cast<const nlmsgerr *>(NLMSG_DATA(nlh));
	size_t off = NLMSG_HDRLEN + sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < NLMSG_HDRLEN)
			return "";
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	}
	// Lengths as the message gives them, checked before any pointer is made.
	if (off > nlh->nlmsg_len)
		return "";
	const auto *p = reinterpret_cast<const unsigned char *>(nlh) + off;
	const auto *end = reinterpret_cast<const unsigned char *>(nlh) + nlh->nlmsg_len;
	while (p + NLA_HDRLEN <= end) {
		auto *a = reinterpret_cast<const nlattr *>(p);
		if (a->nla_len < NLA_HDRLEN || p + a->nla_len > end)
			break;
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG)
			return std::string(reinterpret_cast<const char *>(p + NLA_HDRLEN),
					   strnlen(reinterpret_cast<const char *>(p + NLA_HDRLEN),
						   a->nla_len - NLA_HDRLEN));
		p += NLA_ALIGN(a->nla_len);
	}
	return "";
}

} // namespace

Error command_error(const std::string &what, int err, const std::string &ext)
{
	std::string msg = errno_message(what, err);
	switch (err) {
	case EPERM:
	case EACCES:
		return Error(kExitPermission, msg + " (" + (ext.empty() ? "" : ext + "; ") +
						      "needs CAP_NET_ADMIN)");
	case EBUSY:
		return Error(kExitBusy, msg + (ext.empty() ? "" : " (" + ext + ")"));
	default:
		return Error(kExitRuntime, msg + (ext.empty() ? "" : " (" + ext + ")"));
	}
}

void Control::SockDeleter::operator()(nl_sock *s) const { nl_socket_free(s); }

Control::Control() : sock_(nl_socket_alloc())
{
	if (!sock_)
		throw Error(kExitRuntime, "out of memory");
	if (int err = genl_connect(sock_.get()); err < 0)
		throw Error(kExitRuntime, std::string("netlink: ") + nl_geterror(err));
	int one = 1;
	setsockopt(nl_socket_get_fd(sock_.get()), SOL_NETLINK, NETLINK_EXT_ACK, &one,
		   sizeof(one));
	family_ = genl_ctrl_resolve(sock_.get(), ICMPT_GENL_NAME);
	if (family_ < 0)
		throw Error(kExitNoDevice, "the kernel has no generic netlink family '" ICMPT_GENL_NAME
					   "': is the icmptrace module loaded? (modprobe icmptrace)");
}

Control::~Control() = default;

std::vector<unsigned char> Control::request(uint8_t cmd, const char *what,
					    const std::function<int(nl_msg *)> &fill)
{
	std::unique_ptr<nl_msg, MsgDeleter> msg(nlmsg_alloc());
	if (!msg || !genlmsg_put(msg.get(), NL_AUTO_PORT, NL_AUTO_SEQ, family_, 0,
				 NLM_F_REQUEST | NLM_F_ACK, cmd, ICMPT_GENL_VERSION))
		throw Error(kExitRuntime, "out of memory");
	if (fill) {
		if (int err = fill(msg.get()); err < 0)
			throw Error(kExitRuntime, std::string("netlink message: ") + nl_geterror(err));
	}
	int sent = nl_send_auto(sock_.get(), msg.get());
	if (sent < 0)
		throw Error(kExitRuntime, std::string("netlink send: ") + nl_geterror(sent));
	uint32_t seq = nlmsg_hdr(msg.get())->nlmsg_seq;

	std::vector<unsigned char> reply;
	for (;;) {
		unsigned char *buf = nullptr;
		sockaddr_nl peer{};
		int n = nl_recv(sock_.get(), &peer, &buf, nullptr);
		if (n <= 0)
			throw Error(kExitRuntime, std::string("netlink receive: ") +
							  (n < 0 ? nl_geterror(n) : "connection closed"));
		std::unique_ptr<unsigned char, decltype(&std::free)> owned(buf, &std::free);
		auto *nlh = reinterpret_cast<nlmsghdr *>(buf);
		int len = n;
		for (; nlmsg_ok(nlh, len); nlh = nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(nlmsgerr)))
					throw Error(kExitRuntime, "netlink: an error message too short "
								  "for its error");
				auto *e = static_cast<nlmsgerr *>(nlmsg_data(nlh));
				if (e->error == 0)
					return reply;
				throw command_error(what, -e->error, extack_message(nlh));
			}
			if (nlh->nlmsg_type == family_) {
				auto *p = reinterpret_cast<unsigned char *>(nlh);
				reply.assign(p, p + nlh->nlmsg_len);
			}
		}
	}
}

KernelConfig Control::get_config()
{
	auto r = request(ICMPT_CMD_GET_CONFIG, "reading the module's configuration", nullptr);
	if (r.empty())
		throw Error(kExitRuntime, "reading the module's configuration: no reply");
	return parse_config(reinterpret_cast<const nlmsghdr *>(r.data()));
}

KernelStats Control::get_stats()
{
	auto r = request(ICMPT_CMD_GET_STATS, "reading the counters", nullptr);
	if (r.empty())
		throw Error(kExitRuntime, "reading the counters: no reply");
	return parse_stats(reinterpret_cast<const nlmsghdr *>(r.data()));
}

FilterState Control::get_filter()
{
	auto r = request(ICMPT_CMD_GET_FILTER, "reading the filter", nullptr);
	if (r.empty())
		throw Error(kExitRuntime, "reading the filter: no reply");
	return parse_filter(reinterpret_cast<const nlmsghdr *>(r.data()));
}

void Control::set_enabled(bool on)
{
	request(ICMPT_CMD_SET_CONFIG, on ? "enable" : "disable",
		[on](nl_msg *m) { return nla_put_u8(m, ICMPT_A_ENABLED, on ? 1 : 0); });
}

void Control::set_filter(const FilterSpec &f)
{
	request(ICMPT_CMD_SET_FILTER, "setting the filter",
		[&f](nl_msg *m) { return put_filter(m, f); });
}

void Control::clear_filter() { request(ICMPT_CMD_CLEAR_FILTER, "clearing the filter", nullptr); }

void Control::set_snaplen(uint32_t bytes)
{
	request(ICMPT_CMD_SET_CONFIG, "setting the packet bytes per record",
		[bytes](nl_msg *m) { return nla_put_u32(m, ICMPT_A_SNAPLEN, bytes); });
}

} // namespace icmptrace
