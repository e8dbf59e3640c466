// Source and EventSink: how connectors hand events to the pipeline.
//
// A Source (an MQTT subscription, later a Modbus poller) pushes Events into an EventSink that
// it does not own. Push() never blocks: an MQTT library runs its callbacks on a thread that
// holds the library's lock, so blocking there would stall every client in the process.
// Backpressure goes the other way: when the pipeline falls behind, the owner calls Pause()
// (an MQTT source disconnects; its persistent session makes the broker keep the messages)
// and Resume() once it caught up.
// Start() returns once the source's own threads are running (connecting happens in the
// background, with retries); Stop() stops ingest, waits until no callback can push any more,
// and joins the source's threads. All methods are called from one owner thread.
#pragma once

#include <functional>
#include <string>

#include "core/event.h"
#include "core/status.h"

namespace ef {

class EventSink {
 public:
  virtual ~EventSink() = default;
  // Takes ownership of the event without blocking. Returns false when the sink is closed;
  // the event is then not accepted.
  virtual bool Push(Event event) = 0;
};

class Source {
 public:
  virtual ~Source() = default;
  virtual const std::string& name() const = 0;
  virtual Status Start(EventSink& sink) = 0;
  virtual void Stop() = 0;
  // True once the source is connected and subscribed (ingest is up).
  virtual bool Ready() const = 0;
  // Stops taking data until Resume(), leaving it upstream. Idempotent.
  virtual void Pause() = 0;
  virtual void Resume() = 0;
};

}  // namespace ef
