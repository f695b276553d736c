// A reader for small flat JSON objects (bitsandbytes' quant_state): string,
// number, boolean and null values and arrays of numbers; anything else (nested
// objects, bad syntax, more than 64 KiB) is a bad-file error naming `what`.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mcs::engine::qlinear {

struct JsonValue {
  enum Kind { Null, Bool, Number, String, Numbers } kind = Null;
  bool b = false;
  double number = 0;
  std::string text;
  std::vector<double> numbers;
};

std::map<std::string, JsonValue> parse_flat_json(const uint8_t* data, uint64_t size, const std::string& what);

}  // namespace mcs::engine::qlinear
