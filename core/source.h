// Source and EventSink: how connectors hand events to the pipeline.
//
// A Source (an MQTT subscription, later a Modbus poller) pushes Events into an EventSink that
// it does not own. Push() may block to apply backpressure; the source must tolerate that.
// Start() returns once the source's own threads are running (connecting happens in the
// background, with retries); Stop() stops ingest, waits until no callback can push any more,
// and joins the source's threads. Start/Stop are called from one owner thread.
#pragma once

#include <functional>
#include <string>

#include "core/event.h"
#include "core/status.h"

namespace ef {

class EventSink {
 public:
  virtual ~EventSink() = default;
  // Takes ownership of the event. Returns false when the sink is closed; the event is then
  // not accepted and the source must not acknowledge it upstream if it can avoid it.
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
};

}  // namespace ef
