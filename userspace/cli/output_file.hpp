// --output FILE: the trace appended to FILE, reopened on SIGHUP (logrotate
// renames the file, then signals).  The trace loop reopens only between
// batches, after its flush, so every line lands whole in exactly one file.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <utility>

namespace icmptrace {

class OutputFile {
public:
	// Opens (creates, mode 0640) path for appending; throws Error.
	explicit OutputFile(std::string path);

	FILE *stream() const { return file_.get(); }
	// The open file's st_dev and st_ino, to tell it by any name.
	std::pair<uint64_t, uint64_t> id() const;
	const std::string &path() const { return path_; }

	// Flushes, opens path anew and moves the stream onto it.  On failure
	// the old file stays in use and the reason is returned ("" on success).
	std::string reopen();

private:
	struct Closer {
		void operator()(FILE *f) const { std::fclose(f); }
	};
	std::string path_;
	std::unique_ptr<FILE, Closer> file_;
};

} // namespace icmptrace
