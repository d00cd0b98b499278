// Result<T>: a value or an Error a user can read. Usage:
//   Result<Model> loaded = loadModel(path);
//   if (!loaded) return loaded.error();          // Error names the file and the problem
//   Model& model = *loaded;
// Plain value type; no threading concerns of its own.
#pragma once

#include <cassert>
#include <filesystem>
#include <string>
#include <utility>
#include <variant>

namespace lanterna {

// Kinds decide behaviour (retry, suggest, refuse); the message is for people.
enum class ErrorKind {
  Unset,
  FileNotFound,
  NoReadAccess,
  FormatIncorrect,
  FeatureUnsupported,
  Truncated,
  NoWriteAccess,
  DiskFull,
  OutOfMemory,
  InvalidArgument,
  Cancelled,
  Internal,
};

const char* errorKindName(ErrorKind kind);

struct Error {
  ErrorKind kind = ErrorKind::Unset;
  std::string message;
  std::filesystem::path file;
};

inline const char* errorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Unset: return "unset";
    case ErrorKind::FileNotFound: return "file not found";
    case ErrorKind::NoReadAccess: return "no read access";
    case ErrorKind::FormatIncorrect: return "format incorrect";
    case ErrorKind::FeatureUnsupported: return "unsupported";
    case ErrorKind::Truncated: return "truncated";
    case ErrorKind::NoWriteAccess: return "no write access";
    case ErrorKind::DiskFull: return "disk full";
    case ErrorKind::OutOfMemory: return "out of memory";
    case ErrorKind::InvalidArgument: return "invalid argument";
    case ErrorKind::Cancelled: return "cancelled";
    case ErrorKind::Internal: return "internal error";
  }
  return "unknown";
}

inline Error makeError(ErrorKind kind, std::string message, std::filesystem::path file = {}) {
  return Error{kind, std::move(message), std::move(file)};
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  // Reading the value of an Error is a programming bug, not a throw site.
  T& value() { assert(ok()); return std::get<T>(state_); }
  const T& value() const { assert(ok()); return std::get<T>(state_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { assert(!ok()); return std::get<Error>(state_); }

 private:
  std::variant<T, Error> state_;
};

// For operations that return nothing on success.
struct Ok {};
using Status = Result<Ok>;

}  // namespace lanterna
