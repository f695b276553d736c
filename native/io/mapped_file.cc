#include "io/mapped_file.h"

#include <cerrno>
#include <cstring>

#include "core/error.h"

#ifdef _WIN32
#include <windows.h>
#else
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace mcs::io {

std::shared_ptr<MappedFile> MappedFile::open(const std::string& path) {
  std::shared_ptr<MappedFile> f(new MappedFile());
  f->path_ = path;
#ifdef _WIN32
  HANDLE h = CreateFileA(path.c_str(), GENERIC_READ, FILE_SHARE_READ, nullptr, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) fail_file(path + ": cannot open file");
  f->file_ = h;
  LARGE_INTEGER sz;
  if (!GetFileSizeEx(h, &sz)) fail_file(path + ": cannot read file size");
  f->size_ = static_cast<uint64_t>(sz.QuadPart);
  if (f->size_ > 0) {
    f->mapping_ = CreateFileMappingA(h, nullptr, PAGE_READONLY, 0, 0, nullptr);
    if (!f->mapping_) fail_file(path + ": cannot map file");
    f->data_ = static_cast<const uint8_t*>(MapViewOfFile(f->mapping_, FILE_MAP_READ, 0, 0, 0));
    if (!f->data_) fail_file(path + ": cannot map file");
  }
#else
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail_file(path + ": cannot open file (" + std::strerror(errno) + ")");
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    fail_file(path + ": not a regular file");
  }
  f->size_ = static_cast<uint64_t>(st.st_size);
  if (f->size_ > 0) {
    void* p = mmap(nullptr, f->size_, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
      const int err = errno;
      ::close(fd);
      fail_file(path + ": cannot map file (" + std::strerror(err) + ")");
    }
    f->data_ = static_cast<const uint8_t*>(p);
  }
  ::close(fd);  // the mapping keeps the file alive
#endif
  return f;
}

MappedFile::~MappedFile() {
#ifdef _WIN32
  if (data_) UnmapViewOfFile(data_);
  if (mapping_) CloseHandle(mapping_);
  if (file_) CloseHandle(file_);
#else
  if (data_) munmap(const_cast<uint8_t*>(data_), size_);
#endif
}

const uint8_t* MappedFile::span(uint64_t offset, uint64_t length, const std::string& what) const {
  if (offset > size_ || length > size_ - offset) {
    fail_file(path_ + ": " + what + " needs bytes " + std::to_string(offset) + ".." + std::to_string(offset + length) +
              " but the file has only " + std::to_string(size_) + " bytes (truncated or corrupt)");
  }
  return data_ + offset;
}

}  // namespace mcs::io
