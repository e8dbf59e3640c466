// The state of one group of a "window" rule: its watermark, its open windows and, for
// sliding windows, the samples they slide over; and its checkpoint encoding.
//
// Encoding (version 2): version byte, seen, max_ms, the open windows (start, end, events,
// then one FieldStats per field), then the samples (time as the difference to the previous
// sample's, per field a presence flag and the value). Version 1 (absolute sample times) is
// still read. A plain value owned by the engine; pipeline thread only.
#pragma once

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include "rules/aggregates.h"
#include "rules/rule.h"
#include "rules/state_codec.h"

namespace ef::rules {

// One open window: [start_ms, end_ms) for time windows; for session and count windows the
// first and last event time seen (end inclusive).
struct OpenWindow {
  int64_t start_ms = 0, end_ms = 0;
  uint64_t events = 0;
  std::vector<FieldStats> fields;  // one per spec.fields, in order
};

// A vector whose front is dropped cheaply: the live elements are [head, end) of one
// contiguous vector, and the dead prefix is erased once it outgrows the live part (amortised
// O(1) per element). A sliding window appends at the back (or near it) and drops from the
// front; contiguous, its recomputation per event runs over plain arrays.
template <class T>
class FrontDroppingVector {
 public:
  using iterator = typename std::vector<T>::iterator;
  using const_iterator = typename std::vector<T>::const_iterator;

  size_t size() const { return items_.size() - head_; }
  bool empty() const { return size() == 0; }
  iterator begin() { return items_.begin() + static_cast<ptrdiff_t>(head_); }
  iterator end() { return items_.end(); }
  const_iterator begin() const { return items_.begin() + static_cast<ptrdiff_t>(head_); }
  const_iterator end() const { return items_.end(); }
  T& operator[](size_t i) { return items_[head_ + i]; }
  const T& operator[](size_t i) const { return items_[head_ + i]; }
  const T& front() const {
    assert(!empty());
    return items_[head_];
  }
  const T& back() const {
    assert(!empty());
    return items_.back();
  }
  template <class... Args>
  T& emplace_back(Args&&... args) {
    return items_.emplace_back(std::forward<Args>(args)...);
  }
  void push_back(const T& value) { items_.push_back(value); }
  // Inserts `n` copies of `value` before index `at`; returns where the first is.
  iterator insert(size_t at, size_t n, const T& value) {
    return items_.insert(begin() + static_cast<ptrdiff_t>(at), n, value);
  }
  void pop_front(size_t n) {
    head_ += n;
    if (head_ > 64 && head_ > size()) {
      items_.erase(items_.begin(), items_.begin() + static_cast<ptrdiff_t>(head_));
      head_ = 0;
    }
  }
  void clear() {
    items_.clear();
    head_ = 0;
  }
  friend bool operator==(const FrontDroppingVector& a, const FrontDroppingVector& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  std::vector<T> items_;
  size_t head_ = 0;
};

// The samples of a sliding window, sorted by time, column by column: sample i's time is
// times[i] and its value of spec.fields[f] values[i * fields + f] (nullopt: it had none).
// Flat rather than a vector per sample: no allocation per event and no pointer to chase
// when a window is recomputed or checkpointed.
struct Samples {
  FrontDroppingVector<int64_t> times;
  FrontDroppingVector<std::optional<double>> values;

  size_t size() const { return times.size(); }
  bool empty() const { return times.empty(); }
  void PopFront(size_t fields) {
    times.pop_front(1);
    values.pop_front(fields);
  }
  void clear() {
    times.clear();
    values.clear();
  }
};

struct WindowGroup final : GroupState {
  bool seen = false;  // max_ms is set
  int64_t max_ms = std::numeric_limits<int64_t>::min();  // latest event time of the group
  std::vector<OpenWindow> open;  // time windows sorted by start
  Samples samples;               // sliding windows only

  size_t Bytes() const;
  // `fields` is how many fields each window and sample holds (spec.fields).
  void Encode(StateWriter& out, size_t fields) const;
  // False on bad bytes.
  bool Decode(StateReader& in, size_t fields);
};

}  // namespace ef::rules
