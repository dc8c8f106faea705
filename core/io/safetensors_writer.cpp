#include "core/io/safetensors_writer.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "core/io/atomic_file.h"
#include "core/io/safetensors_file.h"

namespace condense::io {

namespace {

constexpr std::size_t kBuffer = 1 << 20;

class StreamOut final : public TensorOutput {
public:
    explicit StreamOut(AtomicFile& f) : m_file(f) { m_buf.reserve(kBuffer); }
    void begin(std::uint64_t expected) { m_expected = expected; m_done = 0; }
    std::uint64_t produced() const { return m_done; }
    Status write(std::span<const std::byte> bytes) override
    {
        if (bytes.size() > m_expected - m_done)
            return makeError(ErrorCode::InvalidArgument, m_file.tempPath().string(), "producer wrote more bytes than the tensor holds");
        m_done += bytes.size();
        return raw(bytes.data(), bytes.size());
    }
    Status raw(const std::byte* p, std::size_t n)
    {
        if (m_buf.size() + n > kBuffer) CONDENSE_TRY(flush());
        if (n >= kBuffer) return m_file.write(p, n);
        m_buf.insert(m_buf.end(), p, p + n);
        return okStatus();
    }
    Status flush()
    {
        if (m_buf.empty()) return okStatus();
        Status s = m_file.write(m_buf.data(), m_buf.size());
        m_buf.clear();
        return s;
    }

private:
    AtomicFile& m_file;
    std::vector<std::byte> m_buf;
    std::uint64_t m_expected = 0;
    std::uint64_t m_done = 0;
};

} // namespace

Status SafetensorsWriter::addTensor(std::string name, DType type, const std::vector<std::uint64_t>& ne)
{
    return addTensorShape(std::move(name), type, std::vector<std::uint64_t>(ne.rbegin(), ne.rend()));
}

Status SafetensorsWriter::addTensorShape(std::string name, DType type, std::vector<std::uint64_t> shape)
{
    if (name.empty() || name == "__metadata__")
        return makeError(ErrorCode::InvalidArgument, {}, "tensor name '" + name + "' cannot be written");
    for (const auto& e : m_tensors)
        if (e.name == name) return makeError(ErrorCode::InvalidArgument, {}, "tensor '" + name + "' added twice");
    std::uint64_t n = 1;
    for (auto d : shape) {
        const auto m = checkedMul(n, d);
        if (!m) return makeError(ErrorCode::Overflow, {}, "shape of '" + name + "' overflows");
        n = *m;
    }
    const DTypeTraits* tr = dtypeTraits(type);
    if (tr == nullptr || tr->isQuantized) return makeError(ErrorCode::UnsupportedType, {}, "safetensors cannot hold the type of '" + name + "'");
    const auto bytes = dtypeBytes(type, 1, n);
    if (!bytes) return makeError(ErrorCode::Overflow, {}, "size of '" + name + "' overflows");
    Entry e{std::move(name), type, std::move(shape), m_dataBytes, *bytes};
    m_dataBytes += *bytes;
    m_tensors.push_back(std::move(e));
    return okStatus();
}

std::string SafetensorsWriter::header() const
{
    nlohmann::ordered_json j;
    j["__metadata__"] = {{"format", "pt"}};
    for (const auto& e : m_tensors) {
        nlohmann::ordered_json t;
        t["dtype"] = std::string(e.type == DType::Bool ? "BOOL" : dtypeName(e.type));
        t["shape"] = e.shape;
        t["data_offsets"] = {e.begin, e.begin + e.bytes};
        j[e.name] = std::move(t);
    }
    std::string h = j.dump();
    h.append((8 - h.size() % 8) % 8, ' ');
    return h;
}

Result<ModelWriteReport> SafetensorsWriter::write(const std::filesystem::path& output, const TensorProducer& produce,
                                                  const ModelWriteOptions& options, jobs::ProgressSink& progress,
                                                  std::stop_token stop) const
{
    const std::string out = output.string();
    const std::string h = header();
    const std::uint64_t total = 8 + h.size() + m_dataBytes;
    AtomicFile tmp;
    CONDENSE_TRY(tmp.open(output, options.inputs));
    StreamOut buf(tmp);
    std::byte len[8];
    for (int b = 0; b < 8; ++b) len[b] = static_cast<std::byte>((static_cast<std::uint64_t>(h.size()) >> (8 * b)) & 0xffu);
    CONDENSE_TRY(buf.raw(len, 8));
    CONDENSE_TRY(buf.raw(reinterpret_cast<const std::byte*>(h.data()), h.size()));
    const std::size_t n = m_tensors.size();
    for (std::size_t i = 0; i < n; ++i) {
        const Entry& t = m_tensors[i];
        if (stop.stop_requested()) return makeError(ErrorCode::Cancelled, out, "cancelled");
        progress.report(options.tensorStage, i, n, t.name);
        buf.begin(t.bytes);
        Status s = produce(i, buf);
        if (!s) {
            Error e = std::move(s).error();
            if (e.tensor.empty()) e.tensor = t.name;
            if (e.file.empty()) e.file = out;
            return e;
        }
        if (buf.produced() != t.bytes) {
            Error e = makeError(ErrorCode::InvalidArgument, out,
                                "producer wrote " + std::to_string(buf.produced()) + " of " + std::to_string(t.bytes) + " bytes");
            e.tensor = t.name;
            return e;
        }
    }
    progress.report(options.tensorStage, n, n);
    CONDENSE_TRY(buf.flush());
    CONDENSE_TRY(tmp.finish());
    if (tmp.written() != total)
        return makeError(ErrorCode::IoError, tmp.tempPath().string(), "wrote " + std::to_string(tmp.written()) + " bytes, expected " + std::to_string(total));
    if (stop.stop_requested()) return makeError(ErrorCode::Cancelled, out, "cancelled");

    progress.report(jobs::Stage::Validating, 0, 1, output.filename().string());
    {
        auto back = SafetensorsFile::open(tmp.tempPath());
        if (!back) {
            Error e = std::move(back).error();
            e.detail = "written file does not read back: " + e.detail;
            return e;
        }
        const auto bad = [&](const std::string& what) {
            return makeError(ErrorCode::IoError, tmp.tempPath().string(), "written file differs from what was meant to be written: " + what);
        };
        const auto& rt = (*back)->tensors();
        if (rt.size() != n) return bad("tensor count");
        for (const auto& w : m_tensors) {
            const auto it = std::find_if(rt.begin(), rt.end(), [&](const SafetensorsTensor& r) { return r.name == w.name; });
            if (it == rt.end() || it->dtype != w.type || it->shape != w.shape || it->begin != w.begin || it->bytes() != w.bytes)
                return bad("tensor '" + w.name + "'");
        }
    }
    progress.report(jobs::Stage::Validating, 1, 1, output.filename().string());
    CONDENSE_TRY(tmp.commit());
    return ModelWriteReport{output, total};
}

} // namespace condense::io
