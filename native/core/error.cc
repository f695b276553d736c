#include "core/error.h"

namespace mcs {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidArgument: return "EINVAL";
    case ErrorCode::BadFile: return "EBADFILE";
    case ErrorCode::Cancelled: return "ECANCELLED";
    case ErrorCode::OutOfMemory: return "ENOMEM";
    case ErrorCode::Internal: return "EINTERNAL";
  }
  return "EINTERNAL";
}

}  // namespace mcs
