#include "pcap/capture_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "util/error.hpp"

namespace icmptrace {
namespace {

// Blocks are handed to write(2) once this much is buffered (and after each
// chunk of the loop): 256 KiB rather than 64 cut a flood's write calls, about
// 6 of the tracer's instructions a record in the VM (insn).
constexpr size_t kFlushAt = 256 << 10;

std::string os_name()
{
	utsname u;
	if (::uname(&u) != 0)
		return "Linux";
	return std::string(u.sysname) + " " + u.release;
}

int digits(uint32_t n)
{
	int d = 1;
	while (n >= 10) {
		n /= 10;
		++d;
	}
	return d;
}

} // namespace

std::string rotate_name(const CaptureOptions &o, uint32_t n, std::time_t t)
{
	std::string base = o.path;
	if (o.rotate_seconds) {
		char buf[4096];
		std::tm tm;
		::localtime_r(&t, &tm);
		const size_t len = std::strftime(buf, sizeof(buf), o.path.c_str(), &tm);
		if (len)
			base.assign(buf, len);
	}
	if (n == 0 && o.max_files == 0)
		return base;
	if (!o.rotate_bytes && o.rotate_seconds)
		return base;	// -G alone: the time is the name
	const int width = o.max_files ? digits(o.max_files - 1) : 0;
	std::string num = std::to_string(n);
	if (static_cast<int>(num.size()) < width)
		num.insert(0, static_cast<size_t>(width) - num.size(), '0');
	return base + num;
}

CaptureWriter::CaptureWriter(CaptureOptions o) : o_(std::move(o)), buf_(kFlushAt + 4096)
{
	to_stdout_ = o_.path == "-";
	rotates_ = !to_stdout_ && (o_.rotate_seconds || o_.rotate_bytes);
	period_start_ = std::time(nullptr);
	out_.watch_stop(o_.stop_fd);	// the signal stays pending for its owner
	out_.set_deadline(o_.deadline);
	open_file();
}

CaptureWriter::~CaptureWriter()
{
	if (closed_)
		return;
	try {
		close();
	} catch (...) {
		// reported by close() when the caller calls it; here it is too late
	}
}

// done bytes of buf_ went out: the packets of the whole blocks among them
// are written, the rest lost; a file cut inside a block is cut back to the
// last whole one, so that it reads to its end.
void CaptureWriter::count_written(size_t done)
{
	if (done == buf_.size()) {	// the common case: no block to look at
		packets_ += buffered_packets_;
		return;
	}
	size_t whole = 0;
	uint64_t in = 0, all = 0;
	for (const uint32_t e : ends_) {
		const size_t end = e & ~kEpbEnd;
		const bool epb = e & kEpbEnd;
		all += epb;
		if (end <= done) {
			whole = end;
			in += epb;
		}
	}
	packets_ += in;
	lost_ += all - in;
	if (whole < done && !to_stdout_ && ::ftruncate(fd_, static_cast<off_t>(file_bytes_ - (done - whole))) == 0)
		file_bytes_ -= done - whole;
}

bool CaptureWriter::flush()
{
	if (buf_.empty())
		return !output_closed_;
	// Emptied after the write, thrown or not (a failed write is reported
	// once), and never given back: a new buffer per flush cost a heap
	// trim and a page fault per page, once per pass of the loop.
	struct Emptied {
		CaptureWriter &w;
		~Emptied()
		{
			w.buf_.clear();
			w.ends_.clear();
			w.buffered_packets_ = 0;
		}
	} emptied{*this};
	if (output_closed_ || fd_ < 0) {
		count_written(0);
		return false;
	}
	size_t done = 0;
	const StallWriter::Status s = out_.write(buf_.data(), buf_.size(), done);
	file_bytes_ += done;
	count_written(done);
	if (s == StallWriter::Status::Closed || s == StallWriter::Status::GaveUp) {
		// The rest has no reader, or none in time.
		abandoned_ = s == StallWriter::Status::GaveUp;
		output_closed_ = true;
	} else if (s == StallWriter::Status::Failed) {
		output_closed_ = true;	// reported once; close() writes no more
		throw OutputError(errno_message(
			"writing " + (to_stdout_ ? std::string("standard output") : name_), out_.error()));
	}
	return !output_closed_;
}

// The blocks other than EPBs, a few a file: built by pcapng_blocks.hpp,
// then buffered.
template <typename Build>
void CaptureWriter::buffer_block(Build build)
{
	block_.clear();
	build(block_);
	buf_.append(block_);
	ends_.push_back(static_cast<uint32_t>(buf_.size()));
}

void CaptureWriter::open_file()
{
	if (to_stdout_) {
		fd_ = STDOUT_FILENO;
		name_ = "-";
	} else {
		name_ = rotate_name(o_, counter_, period_start_);
		struct stat st;
		// O_TRUNC would empty the file being read.
		// The first file fails the start; a rotation's ends the capture,
		// which the loops sum up (OutputError).
		auto fail = [this](ExitCode code, const std::string &msg) {
			if (!files_)
				throw Error(code, msg);
			output_closed_ = true;
			throw OutputError(msg);
		};
		if (!o_.keep.empty() && ::stat(name_.c_str(), &st) == 0)
			for (const CaptureOptions::KeptFile &k : o_.keep)
				if (st.st_ino == k.ino && st.st_dev == k.dev)
					fail(kExitUsage, name_ + " is " + k.what + ": not overwritten");
		fd_ = ::open(name_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
		if (fd_ < 0) {
			const int e = errno;
			fail(kExitRuntime, errno_message("opening " + name_, e));
		}
	}
	out_.reset(fd_);
	++files_;
	if (names_.size() < kNames)
		names_.insert(name_);
	else if (!names_.contains(name_))
		++names_over_;
	file_bytes_ = 0;
	start_section();
	flush();
}

// The statistics of the section's interfaces; drops_after (records lost
// after the last packet) count on the interface of that packet.
void CaptureWriter::end_section(uint64_t drops_after)
{
	for (auto &[key, i] : ifaces_) {
		if (i.id == last_iface_)
			i.drops += drops_after;
		pcapng::IsbCounts c;
		c.interface_id = i.id;
		c.ts = i.last_ts;
		c.start = i.first_ts;
		c.end = i.last_ts;
		c.ifrecv = i.recv;
		c.osdrop = i.drops;
		buffer_block([&c](pcapng::Bytes &b) { pcapng::append_isb(b, c); });
	}
}

void CaptureWriter::start_section()
{
	ifaces_.clear();
	hot_[0] = hot_[1] = Hot{};
	last_iface_ = UINT32_MAX;
	buffer_block([](pcapng::Bytes &b) { pcapng::append_shb(b, "icmptrace " ICMPTRACE_VERSION, os_name()); });
}

// The interface of key, described (added) if new; a section whose table is
// full ends and a new one begins, so the table stays at kMaxInterfaces.
CaptureWriter::Iface &CaptureWriter::interface_of(const IfaceKey &key, bool &added)
{
	if (ifaces_.size() >= kMaxInterfaces && !ifaces_.contains(key)) {
		end_section(0);
		start_section();
		++sections_split_;
	}
	auto [it, is_new] = ifaces_.try_emplace(key, Iface{static_cast<uint32_t>(ifaces_.size())});
	added = is_new;
	return it->second;
}

void CaptureWriter::end_file(uint64_t drops_after)
{
	end_section(drops_after);
	flush();
	if (!to_stdout_ && fd_ >= 0) {
		const int fd = fd_;
		fd_ = -1;
		if (::close(fd) != 0)
			throw OutputError(errno_message("closing " + name_, errno));
	}
}

bool CaptureWriter::rotate_if_due()
{
	if (to_stdout_)
		return true;
	bool due = false;
	if (o_.rotate_seconds) {
		const std::time_t now = std::time(nullptr);
		if (now - period_start_ >= static_cast<std::time_t>(o_.rotate_seconds) &&
		    ifaces_.empty()) {
			// Nothing written yet: a file with no interface block is one
			// libpcap refuses, so this file takes the new period instead.
			period_start_ = now;
		} else if (now - period_start_ >= static_cast<std::time_t>(o_.rotate_seconds)) {
			// -G with -W alone: the capture ends after N files.
			if (o_.max_files && !o_.rotate_bytes && files_ >= o_.max_files)
				return false;
			period_start_ = now;
			counter_ = 0;
			due = true;
		}
	}
	// Not before the file's first packet (-C smaller than the headers): a
	// file with no interface block is one libpcap refuses.
	if (!due && o_.rotate_bytes && !ifaces_.empty() &&
	    file_bytes_ + buf_.size() > o_.rotate_bytes) {
		++counter_;
		if (o_.max_files && counter_ >= o_.max_files)
			counter_ = 0;
		due = true;
	}
	if (due) {
		end_file(0);
		open_file();
	}
	return true;
}

inline CaptureWriter::Iface &CaptureWriter::interface_for(const icmpt_event &ev,
							 std::string_view name)
{
	const IfaceKey key{ev.pkt_netns, ev.ifindex};
	for (const Hot &h : hot_)
		if (h.iface && h.key == key)
			return *h.iface;
	return interface_looked_up(key, ev, name);
}

// Apart from interface_for(), so that its few instructions a packet do not
// carry this path's frame.
__attribute__((noinline)) CaptureWriter::Iface &
CaptureWriter::interface_looked_up(const IfaceKey &key, const icmpt_event &ev,
				   std::string_view name)
{
	bool added;
	Iface &iface = interface_of(key, added);
	if (added) {
		// The owner, if any, is the first place to look for the namespace.
		const uint32_t hint = ev.owner != ICMPT_OWNER_NONE ? ev.task.pid : 0;
		const std::string if_name =
			!name.empty()	? std::string(name)
			: o_.live_names ? ifnames_.name(ev.pkt_netns, ev.ifindex, hint)
					: ifname_placeholder(ev.pkt_netns, ev.ifindex);
		const std::string desc = "netns=" + std::to_string(ev.pkt_netns) +
					 " ifindex=" + std::to_string(ev.ifindex);
		buffer_block([&](pcapng::Bytes &b) {
			// -s counts from the IP header, as the module does.
			pcapng::append_idb(b, pcapng::kLinktypeLinuxSll,
					   o_.snaplen ? o_.snaplen + pcapng::kSllLen : 0, if_name,
					   desc);
		});
	}
	hot_[1] = hot_[0];
	hot_[0] = Hot{key, &iface};
	return iface;
}

// Inline in add() and add_frame(): its call, with eight arguments, was a
// tenth of a packet's work.
__attribute__((always_inline)) inline bool CaptureWriter::put(const icmpt_event &ev, const FormatContext &ctx, Iface &i, uint64_t ts,
			std::span<const uint8_t> head, std::span<const uint8_t> data, uint32_t wire_len,
			uint64_t drops_before)
{
	pcapng::EpbFields f;
	f.interface_id = i.id;
	f.ts = ts;
	f.wire_len = wire_len;
	f.flags = ev.direction == ICMPT_DIR_IN    ? pcapng::kEpbInbound
		  : ev.direction == ICMPT_DIR_OUT ? pcapng::kEpbOutbound
						  : 0;
	if (ev.owner != ICMPT_OWNER_NONE)
		f.pid_tid.emplace(ev.task.pid, ev.task.tid);
	f.dropcount = drops_before;
	// The block in place, its room checked once: a vector's appends and a
	// comment string per packet cost more than the rest of the loop.
	const pcapng::EpbAt at = pcapng::epb_begin(
		buf_.room(pcapng::kEpbRoom + head.size() + data.size() + OwnerComments::room(ctx)),
		f, head, data);
	buf_.commit(pcapng::epb_close(at, comments_.write_options(at.comment, ev, ctx, f)));
	ends_.push_back(static_cast<uint32_t>(buf_.size()) | kEpbEnd);
	++buffered_packets_;
	if (!i.recv)
		i.first_ts = ts;
	++i.recv;
	i.drops += drops_before;
	i.last_ts = ts;
	last_iface_ = i.id;
	if (o_.flush_each || buf_.size() >= kFlushAt)
		return flush();
	return true;
}

bool CaptureWriter::add(const icmpt_event &ev, const FormatContext &ctx,
			std::span<const uint8_t> ip, uint64_t drops_before, std::string_view if_name)
{
	if (output_closed_ || (rotates_ && !rotate_if_due()))
		return false;
	Iface &i = interface_for(ev, if_name);
	const pcapng::SllHeader sll =
		pcapng::sll_header(ev.direction == ICMPT_DIR_OUT, ev.pkt.family == 6);
	return put(ev, ctx, i, ev.ts_real_ns, sll, ip,
		   pcapng::kSllLen + std::max<uint32_t>(ev.pkt.ip_len, static_cast<uint32_t>(ip.size())),
		   drops_before);
}

bool CaptureWriter::add_frame(const icmpt_event &ev, const FormatContext &ctx,
			      const CapturedPacket &p, uint64_t drops_before)
{
	if (output_closed_ || (rotates_ && !rotate_if_due()))
		return false;
	bool added;
	Iface &iface = interface_of({kInputIface | p.section, p.interface_id}, added);
	if (added) {
		// 12 and 14: DLT_RAW as some systems wrote it, LINKTYPE_RAW in a
		// file (the reader takes them as raw IP too).
		const uint32_t lt = p.linktype == 12 || p.linktype == 14 ? pcapng::kLinktypeRaw
									  : p.linktype;
		buffer_block([&](pcapng::Bytes &b) {
			pcapng::append_idb(b, static_cast<uint16_t>(lt), p.if_snaplen, p.if_name,
					   p.if_description, p.if_tsresol, p.if_tsoffset);
		});
	}
	return put(ev, ctx, iface, p.ts_raw, {}, p.data,
		   std::max<uint32_t>(p.wire_len, static_cast<uint32_t>(p.data.size())),
		   drops_before);
}

void CaptureWriter::close(uint64_t drops_after)
{
	if (closed_)
		return;
	closed_ = true;
	end_file(drops_after);
}

} // namespace icmptrace
