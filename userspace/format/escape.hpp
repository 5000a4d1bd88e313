// Escaping of untrusted bytes (task comm) for the output formats.
#pragma once

#include <string>
#include <string_view>

#include "format/cursor.hpp"

namespace icmptrace {

// Appends s as a quoted JSON string.  Control characters become \uXXXX (or
// \n, \t, ...); bytes that are not valid UTF-8 become U+FFFD, as Go's
// encoding/json (tracee) does.
void append_json_string(std::string &out, std::string_view s);
// The same through a cursor: at most kEscapeMax * s.size() + 2 bytes.
void put_json_string(Cursor &out, std::string_view s);

// One whitespace-free token for the text and kv formats: bytes outside
// printable ASCII, and '\\', '=', '"', become \xHH.
std::string escape_token(std::string_view s);
// The same, appended to out.
void append_token(std::string &out, std::string_view s);
// The same through a cursor: at most kEscapeMax * s.size() bytes.
void put_token(Cursor &out, std::string_view s);

} // namespace icmptrace
