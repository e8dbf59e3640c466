// The libmodbus adapter: the only file that includes <modbus.h>. It converts libmodbus's
// errno-style errors into BusError at this boundary.
#include "connectors/modbus/modbus_bus.h"

#include <modbus.h>

#include <cerrno>

namespace ef::connectors::modbus {
namespace {

char ParityChar(Parity parity) {
  switch (parity) {
    case Parity::kEven: return 'E';
    case Parity::kOdd: return 'O';
    case Parity::kNone: break;
  }
  return 'N';
}

BusError Classify(int error) {
  switch (error) {
    case ETIMEDOUT:
    case EMBBADCRC:
    case EMBBADDATA:
    case EMBMDATA:
    case EMBBADSLAVE:
      return BusError::kTimeout;  // no usable answer; the same request may succeed again
    case EMBXILADD:
      return BusError::kIllegalAddress;
    default:
      break;
  }
  if (error > MODBUS_ENOBASE && error <= EMBUNKEXC) return BusError::kException;
  return BusError::kConnection;  // ECONNRESET, EPIPE, EBADF, ...: the link is gone
}

class LibModbusBus final : public ModbusBus {
 public:
  explicit LibModbusBus(const ModbusSourceConfig& config) : config_(config) {}
  ~LibModbusBus() override { Free(); }
  LibModbusBus(const LibModbusBus&) = delete;
  LibModbusBus& operator=(const LibModbusBus&) = delete;

  Status Connect() override {
    if (connected_) return Status::Ok();
    Free();
    ctx_ = config_.serial() ? NewRtu() : NewTcp();
    if (ctx_ == nullptr) return Status::InvalidArgument(Describe() + ": " + modbus_strerror(errno));
    // libmodbus bounds a TCP connect by the response timeout.
    modbus_set_response_timeout(ctx_, static_cast<uint32_t>(config_.timeout_ms / 1000),
                                static_cast<uint32_t>(config_.timeout_ms % 1000) * 1000);
    if (modbus_connect(ctx_) != 0) {
      const Status status = Status::Unavailable(Describe() + ": " + modbus_strerror(errno));
      Free();
      return status;
    }
    connected_ = true;
    return Status::Ok();
  }

  void Close() override { Free(); }
  bool connected() const override { return connected_; }

  BusRead Read(int slave, RegisterKind kind, uint32_t address, uint32_t count,
               std::chrono::milliseconds timeout) override {
    BusRead out;
    if (!connected_) return {BusError::kConnection, "not connected", {}};
    modbus_set_slave(ctx_, slave);
    modbus_set_response_timeout(ctx_, static_cast<uint32_t>(timeout.count() / 1000),
                                static_cast<uint32_t>(timeout.count() % 1000) * 1000);
    const int addr = static_cast<int>(address);
    const int n = static_cast<int>(count);
    int rc = -1;
    if (IsBitKind(kind)) {
      std::vector<uint8_t> bits(count);
      rc = kind == RegisterKind::kCoil ? modbus_read_bits(ctx_, addr, n, bits.data())
                                       : modbus_read_input_bits(ctx_, addr, n, bits.data());
      out.words.assign(bits.begin(), bits.end());
    } else {
      out.words.resize(count);
      rc = kind == RegisterKind::kHolding
               ? modbus_read_registers(ctx_, addr, n, out.words.data())
               : modbus_read_input_registers(ctx_, addr, n, out.words.data());
    }
    if (rc == n) return out;
    const int error = rc < 0 ? errno : EMBMDATA;
    out.words.clear();
    out.error = Classify(error);
    out.message = modbus_strerror(error);
    // A late answer must not be taken for the next request's: on TCP it would shift every
    // later answer by one (each read getting the previous one's, "Invalid data"), so the
    // connection is dropped and the next read reconnects; a serial line is flushed.
    if (out.error == BusError::kConnection ||
        (out.error == BusError::kTimeout && !config_.serial())) {
      Free();
    } else if (out.error == BusError::kTimeout) {
      modbus_flush(ctx_);
    }
    return out;
  }

  std::string Describe() const override {
    if (!config_.serial()) return "tcp " + config_.address;
    return "rtu " + config_.port + " " + std::to_string(config_.baud) + " " +
           std::to_string(config_.data_bits) + ParityChar(config_.parity) +
           std::to_string(config_.stop_bits);
  }

 private:
  modbus_t* NewTcp() const {
    std::string host;
    int port = 0;
    if (!SplitHostPort(config_.address, &host, &port)) return nullptr;
    return modbus_new_tcp_pi(host.c_str(), std::to_string(port).c_str());
  }
  modbus_t* NewRtu() const {
    return modbus_new_rtu(config_.port.c_str(), static_cast<int>(config_.baud),
                          ParityChar(config_.parity), static_cast<int>(config_.data_bits),
                          static_cast<int>(config_.stop_bits));
  }
  void Free() {
    if (ctx_ == nullptr) return;
    if (connected_) modbus_close(ctx_);
    modbus_free(ctx_);
    ctx_ = nullptr;
    connected_ = false;
  }

  const ModbusSourceConfig config_;
  modbus_t* ctx_ = nullptr;
  bool connected_ = false;
};

}  // namespace

std::unique_ptr<ModbusBus> MakeLibModbusBus(const ModbusSourceConfig& config) {
  return std::make_unique<LibModbusBus>(config);
}

}  // namespace ef::connectors::modbus
