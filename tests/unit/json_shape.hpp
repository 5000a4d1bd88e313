// A minimal strict JSON parser for the tests: it checks a line is valid JSON
// and returns its "shape", the key paths and value kinds in document order,
// e.g. "args[].value.typeCode=string".  Throws std::runtime_error on bad JSON.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace icmptrace::test {

std::vector<std::string> json_shape(std::string_view json);

// Every scalar of a JSON text: its path (array elements end in "[]"), kind
// (string, number, bool, null) and value (decoded for a string, as written
// otherwise).  Throws std::runtime_error on bad JSON.
struct JsonLeaf {
	std::string path, kind, value;
};
std::vector<JsonLeaf> json_leaves(std::string_view json);

// The decoded value of a JSON string literal starting at s[0] == '"'.
std::string json_unquote(std::string_view s);

} // namespace icmptrace::test
