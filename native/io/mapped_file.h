// Read-only memory map of a model file. Tensor bytes are read straight from the
// page cache; every access goes through `span`, which checks bounds first.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace mcs::io {

class MappedFile {
 public:
  // Throws mcs::Error(BadFile) naming the path when it cannot be opened or mapped.
  static std::shared_ptr<MappedFile> open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const std::string& path() const { return path_; }
  uint64_t size() const { return size_; }
  // Pointer to [offset, offset + length); throws naming `what` and the file if
  // the range is not inside the file (overflow-safe).
  const uint8_t* span(uint64_t offset, uint64_t length, const std::string& what) const;

 private:
  MappedFile() = default;
  std::string path_;
  uint64_t size_ = 0;
  const uint8_t* data_ = nullptr;
#ifdef _WIN32
  void* file_ = nullptr;
  void* mapping_ = nullptr;
#endif
};

}  // namespace mcs::io
