#include "engine/qlinear/flat_json.h"

#include <cstdlib>

#include "core/error.h"

namespace mcs::engine::qlinear {
namespace {

class Reader {
 public:
  Reader(const uint8_t* d, uint64_t n, const std::string& what) : s_(reinterpret_cast<const char*>(d), size_t(n)), what_(what) {}

  std::map<std::string, JsonValue> object() {
    std::map<std::string, JsonValue> out;
    expect('{');
    if (peek() == '}') return ++i_, end(out);
    for (;;) {
      std::string key = string();
      expect(':');
      out[key] = value();
      const char c = next();
      if (c == '}') return end(out);
      if (c != ',') bad("expected ',' or '}'");
    }
  }

 private:
  std::map<std::string, JsonValue> end(std::map<std::string, JsonValue>& out) {
    if (peek() != '\0') bad("unexpected text after the object");
    return std::move(out);
  }
  [[noreturn]] void bad(const std::string& why) { fail_file(what_ + ": not a flat JSON object (" + why + " at byte " + std::to_string(i_) + ")"); }
  void skip() { while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\r' || s_[i_] == '\t')) ++i_; }
  char peek() { skip(); return i_ < s_.size() ? s_[i_] : '\0'; }
  char next() { const char c = peek(); if (c == '\0') bad("unexpected end"); ++i_; return c; }
  void expect(char c) { if (next() != c) bad(std::string("expected '") + c + "'"); }

  std::string string() {
    expect('"');
    std::string out;
    while (i_ < s_.size() && s_[i_] != '"') {
      if (s_[i_] == '\\') {
        if (++i_ >= s_.size()) break;
        const char e = s_[i_];
        if (e == 'u') bad("\\u escapes are not expected here");
        out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
      } else {
        out += s_[i_];
      }
      ++i_;
    }
    if (i_ >= s_.size()) bad("unterminated string");
    ++i_;
    return out;
  }

  double number() {
    skip();
    const size_t start = i_;
    while (i_ < s_.size() && std::string("+-0123456789.eE").find(s_[i_]) != std::string::npos) ++i_;
    if (start == i_) bad("expected a value");
    const std::string t = s_.substr(start, i_ - start);
    char* endp = nullptr;
    const double v = std::strtod(t.c_str(), &endp);
    if (endp != t.c_str() + t.size()) bad("bad number '" + t + "'");
    return v;
  }

  bool word(const char* w) {
    skip();
    const std::string ww(w);
    if (s_.compare(i_, ww.size(), ww) != 0) return false;
    i_ += ww.size();
    return true;
  }

  JsonValue value() {
    JsonValue v;
    const char c = peek();
    if (c == '"') v.kind = JsonValue::String, v.text = string();
    else if (c == '[') {
      ++i_;
      v.kind = JsonValue::Numbers;
      if (peek() == ']') return ++i_, v;
      for (;;) {
        v.numbers.push_back(number());
        const char d = next();
        if (d == ']') break;
        if (d != ',') bad("expected ',' or ']'");
      }
    } else if (word("true")) v.kind = JsonValue::Bool, v.b = true;
    else if (word("false")) v.kind = JsonValue::Bool;
    else if (word("null")) v.kind = JsonValue::Null;
    else if (c == '{') bad("nested objects are not expected");
    else v.kind = JsonValue::Number, v.number = number();
    return v;
  }

  std::string s_;
  std::string what_;
  size_t i_ = 0;
};

}  // namespace

std::map<std::string, JsonValue> parse_flat_json(const uint8_t* data, uint64_t size, const std::string& what) {
  if (size > 65536) fail_file(what + ": " + std::to_string(size) + " bytes is too long for a quantization state");
  return Reader(data, size, what).object();
}

}  // namespace mcs::engine::qlinear
