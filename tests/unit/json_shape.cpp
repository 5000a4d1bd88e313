#include "json_shape.hpp"

#include <cstdlib>
#include <stdexcept>

namespace icmptrace::test {
namespace {

class Parser {
public:
	explicit Parser(std::string_view s, std::vector<JsonLeaf> *leaves = nullptr)
		: s_(s), leaves_(leaves)
	{
	}

	void value(const std::string &path, std::vector<std::string> &out)
	{
		ws();
		char c = peek();
		if (c == '{') {
			out.push_back(path + "=object");
			++i_;
			ws();
			if (peek() == '}') {
				++i_;
				return;
			}
			for (;;) {
				ws();
				std::string key = string();
				ws();
				expect(':');
				value(path.empty() ? key : path + "." + key, out);
				ws();
				if (peek() == ',') {
					++i_;
					continue;
				}
				expect('}');
				return;
			}
		}
		if (c == '[') {
			out.push_back(path + "=array");
			++i_;
			ws();
			if (peek() == ']') {
				++i_;
				return;
			}
			for (;;) {
				value(path + "[]", out);
				ws();
				if (peek() == ',') {
					++i_;
					continue;
				}
				expect(']');
				return;
			}
		}
		const size_t at = i_;
		if (c == '"') {
			leaf(path, "string", string());
			out.push_back(path + "=string");
			return;
		}
		if (c == '-' || (c >= '0' && c <= '9')) {
			number();
			leaf(path, "number", std::string(s_.substr(at, i_ - at)));
			out.push_back(path + "=number");
			return;
		}
		if (literal("true") || literal("false")) {
			leaf(path, "bool", std::string(s_.substr(at, i_ - at)));
			out.push_back(path + "=bool");
			return;
		}
		if (literal("null")) {
			leaf(path, "null", "null");
			out.push_back(path + "=null");
			return;
		}
		fail("unexpected character");
	}

	std::string string()
	{
		expect('"');
		std::string out;
		for (;;) {
			if (i_ >= s_.size())
				fail("unterminated string");
			unsigned char c = static_cast<unsigned char>(s_[i_++]);
			if (c == '"')
				return out;
			if (c < 0x20)
				fail("raw control character in string");
			if (c != '\\') {
				out += static_cast<char>(c);
				continue;
			}
			char e = s_[i_++];
			switch (e) {
			case '"': out += '"'; break;
			case '\\': out += '\\'; break;
			case '/': out += '/'; break;
			case 'b': out += '\b'; break;
			case 'f': out += '\f'; break;
			case 'n': out += '\n'; break;
			case 'r': out += '\r'; break;
			case 't': out += '\t'; break;
			case 'u': {
				if (i_ + 4 > s_.size())
					fail("short \\u escape");
				unsigned v = std::strtoul(std::string(s_.substr(i_, 4)).c_str(),
							  nullptr, 16);
				i_ += 4;
				utf8(v, out);
				break;
			}
			default:
				fail("bad escape");
			}
		}
	}

	void end()
	{
		ws();
		if (i_ != s_.size())
			fail("trailing data");
	}

private:
	void leaf(const std::string &path, const char *kind, std::string value)
	{
		if (leaves_)
			leaves_->push_back(JsonLeaf{path, kind, std::move(value)});
	}
	static void utf8(unsigned v, std::string &out)
	{
		if (v < 0x80) {
			out += static_cast<char>(v);
		} else if (v < 0x800) {
			out += static_cast<char>(0xC0 | (v >> 6));
			out += static_cast<char>(0x80 | (v & 0x3F));
		} else {
			out += static_cast<char>(0xE0 | (v >> 12));
			out += static_cast<char>(0x80 | ((v >> 6) & 0x3F));
			out += static_cast<char>(0x80 | (v & 0x3F));
		}
	}
	void number()
	{
		if (peek() == '-')
			++i_;
		size_t digits = 0;
		while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9')
			++i_, ++digits;
		if (!digits)
			fail("bad number");
		// Fraction and exponent (the --summary object has milliseconds).
		auto more_digits = [this]() {
			size_t n = 0;
			while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9')
				++i_, ++n;
			if (!n)
				fail("bad number");
		};
		if (peek() == '.') {
			++i_;
			more_digits();
		}
		if (peek() == 'e' || peek() == 'E') {
			++i_;
			if (peek() == '+' || peek() == '-')
				++i_;
			more_digits();
		}
	}
	bool literal(std::string_view w)
	{
		if (s_.substr(i_, w.size()) != w)
			return false;
		i_ += w.size();
		return true;
	}
	char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
	void expect(char c)
	{
		if (peek() != c)
			fail(std::string("expected '") + c + "'");
		++i_;
	}
	void ws()
	{
		while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' ||
					  s_[i_] == '\r'))
			++i_;
	}
	[[noreturn]] void fail(const std::string &why)
	{
		throw std::runtime_error("json: " + why + " at offset " + std::to_string(i_));
	}

	std::string_view s_;
	std::vector<JsonLeaf> *leaves_;
	size_t i_ = 0;
};

} // namespace

std::vector<std::string> json_shape(std::string_view json)
{
	std::vector<std::string> out;
	Parser p(json);
	p.value("", out);
	p.end();
	return out;
}

std::vector<JsonLeaf> json_leaves(std::string_view json)
{
	std::vector<JsonLeaf> leaves;
	std::vector<std::string> shape;
	Parser p(json, &leaves);
	p.value("", shape);
	p.end();
	return leaves;
}

std::string json_unquote(std::string_view s)
{
	Parser p(s);
	return p.string();
}

} // namespace icmptrace::test
