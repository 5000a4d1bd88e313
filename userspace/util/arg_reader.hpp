// The one option tokenizer of the main command and the control commands:
// --name=value, --name value, -Xvalue and -X value, one argument at a time.
// What an option means is the caller's; this only says where its value is.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace icmptrace {

// "option '-c' needs a value", "option '--json' takes no value".
struct ArgError : std::invalid_argument {
	using std::invalid_argument::invalid_argument;
};

class ArgReader {
public:
	// args[first..] are read; args excludes argv[0].
	explicit ArgReader(const std::vector<std::string> &args, size_t first = 0)
		: args_(args), next_(first)
	{
	}

	// Moves to the next argument; false when there is none.
	bool next()
	{
		if (next_ >= args_.size())
			return false;
		arg_ = args_[next_++];
		name_ = arg_;
		inline_.clear();
		has_inline_ = false;
		if (arg_.rfind("--", 0) == 0 && arg_.find('=') != std::string::npos) {
			name_ = arg_.substr(0, arg_.find('='));
			inline_ = arg_.substr(arg_.find('=') + 1);
			has_inline_ = true;
		} else if (arg_.size() > 2 && arg_[0] == '-' && arg_[1] != '-') {
			name_ = arg_.substr(0, 2);
			inline_ = arg_.substr(2);
			has_inline_ = true;
		}
		return true;
	}
	// The argument as given, and its option name (without any value).
	const std::string &arg() const { return arg_; }
	const std::string &name() const { return name_; }
	bool is_option() const { return !arg_.empty() && arg_[0] == '-'; }
	// The option's value: inline, or the next argument (which is consumed).
	std::string value()
	{
		if (has_inline_)
			return inline_;
		if (next_ >= args_.size())
			throw ArgError("option '" + name_ + "' needs a value");
		return args_[next_++];
	}
	// Takes every argument not read yet (what follows "--").
	std::vector<std::string> rest()
	{
		std::vector<std::string> r(args_.begin() + static_cast<std::ptrdiff_t>(next_),
					   args_.end());
		next_ = args_.size();
		return r;
	}
	// For a flag: an inline value is an error.
	void no_value() const
	{
		if (has_inline_)
			throw ArgError("option '" + name_ + "' takes no value");
	}

private:
	const std::vector<std::string> &args_;
	size_t next_;
	std::string arg_, name_, inline_;
	bool has_inline_ = false;
};

} // namespace icmptrace
