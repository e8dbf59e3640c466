// Status and Result<T>: how edgeferry reports success or failure without exceptions.
//
// A Status is OK or carries a code and a message. Codes separate what a caller may retry
// (kUnavailable, kIoError) from what will never succeed (kInvalidArgument, kCorruption,
// kPermanent). Result<T> holds either a value or a non-OK Status, like std::expected.
// Both are plain values: copyable, movable, and safe to hand between threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ef {

class [[nodiscard]] Status {
 public:
  enum class Code { kOk, kInvalidArgument, kNotFound, kIoError, kUnavailable, kCorruption,
                    kPermanent, kClosed };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) { return {Code::kInvalidArgument, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
  static Status IoError(std::string msg) { return {Code::kIoError, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {Code::kUnavailable, std::move(msg)}; }
  static Status Corruption(std::string msg) { return {Code::kCorruption, std::move(msg)}; }
  static Status Permanent(std::string msg) { return {Code::kPermanent, std::move(msg)}; }
  static Status Closed(std::string msg) { return {Code::kClosed, std::move(msg)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // True when the same operation may succeed later (the peer or the disk may recover).
  bool retryable() const { return code_ == Code::kIoError || code_ == Code::kUnavailable; }
  std::string ToString() const;
  // The same status with `context` before its message ("stage 'x': " + message).
  Status WithContext(std::string_view context) const {
    return ok() ? *this : Status(code_, std::string(context) + message_);
  }

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}                // NOLINT: implicit by design
  Result(Status status) : data_(std::move(status)) {}         // NOLINT: REQUIRES: !status.ok()

  bool ok() const { return std::holds_alternative<T>(data_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(data_);
  }
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace ef
