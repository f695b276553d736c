// Errors thrown by kernels and file code. They reach JavaScript as rejected
// promises carrying `code`, so the UI can tell a bad file from a cancel.
#pragma once
#include <stdexcept>
#include <string>

namespace mcs {

enum class ErrorCode { InvalidArgument, BadFile, Cancelled, OutOfMemory, Internal };

const char* error_code_name(ErrorCode code);

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

[[noreturn]] inline void fail(const std::string& message) { throw Error(ErrorCode::InvalidArgument, message); }
[[noreturn]] inline void fail_file(const std::string& message) { throw Error(ErrorCode::BadFile, message); }

// Checks a condition on caller-supplied input; never compiled out.
#define MCS_CHECK(cond, msg)                  \
  do {                                        \
    if (!(cond)) ::mcs::fail(std::string(msg)); \
  } while (0)

}  // namespace mcs
