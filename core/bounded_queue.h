// BoundedQueue<T>: a blocking multi-producer, single-consumer queue with a fixed capacity.
//
// Push() blocks while the queue is full. PushNoWait() never blocks and may exceed the
// capacity, for producers that must not block (MQTT callbacks); their owner watches Size()
// against capacity() and pauses them instead. Close() wakes everyone;
// after it, Push() refuses new items and PopBatch() still returns what was queued until the
// queue is empty, so nothing accepted is lost at shutdown. All methods are thread-safe.
//
// A producer wakes the consumer only when what the consumer waits for has come: the first
// item, or `max` items while it lingers for a fuller batch. (Waking it on every item made each
// message of a fast MQTT source cost a futex wake, a context switch and a contended mutex.)
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <vector>

namespace ef {

template <typename T>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // Blocks until there is room or the queue is closed. Returns false (and drops nothing that
  // was accepted before) when closed.
  bool Push(T item) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_) return false;
    items_.push_back(std::move(item));
    WakeConsumerIfDue();
    return true;
  }

  // Accepts the item even above capacity; false only when closed.
  bool PushNoWait(T item) {
    std::lock_guard lock(mu_);
    if (closed_) return false;
    items_.push_back(std::move(item));
    WakeConsumerIfDue();
    return true;
  }

  size_t capacity() const { return capacity_; }

  // Waits up to `first_wait` for a first item, then up to `linger` for more, and moves up to
  // `max` items into `out`. Returns false only when the queue is closed and empty.
  template <class Rep1, class Per1, class Rep2, class Per2>
  bool PopBatch(std::vector<T>* out, size_t max, std::chrono::duration<Rep1, Per1> first_wait,
                std::chrono::duration<Rep2, Per2> linger) {
    std::unique_lock lock(mu_);
    if (!WaitForSize(lock, 1, first_wait)) return true;
    if (items_.size() < max && !closed_) WaitForSize(lock, max, linger);
    if (closed_ && items_.empty()) return false;
    const size_t n = std::min(max, items_.size());
    for (size_t i = 0; i < n; ++i) {
      out->push_back(std::move(items_.front()));
      items_.pop_front();
    }
    not_full_.notify_all();
    return true;
  }

  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
  }

  size_t Size() const {
    std::lock_guard lock(mu_);
    return items_.size();
  }

 private:
  // Waits (mu_ held through `lock`) until the queue is closed or holds `size` items, at most
  // `timeout`; returns whether that came.
  template <class Rep, class Per>
  bool WaitForSize(std::unique_lock<std::mutex>& lock, size_t size,
                   std::chrono::duration<Rep, Per> timeout) {
    wake_at_size_ = size;
    const bool due = not_empty_.wait_for(lock, timeout,
                                         [&] { return closed_ || items_.size() >= size; });
    wake_at_size_ = 0;
    return due;
  }
  // A producer's part, mu_ held: wakes the consumer once what it waits for is there.
  void WakeConsumerIfDue() {
    if (wake_at_size_ != 0 && items_.size() >= wake_at_size_) {
      wake_at_size_ = 0;  // one wake is enough
      not_empty_.notify_one();
    }
  }

  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<T> items_;
  bool closed_ = false;
  size_t wake_at_size_ = 0;  // what the waiting consumer needs; 0 = no consumer waits
};

}  // namespace ef
