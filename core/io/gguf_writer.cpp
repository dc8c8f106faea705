#include "core/io/gguf_writer.h"

#include "core/io/atomic_file.h"

#include <algorithm>
#include <cstring>

namespace condense::io {

namespace fs = std::filesystem;

namespace {

std::uint64_t alignUp(std::uint64_t x, std::uint64_t a) { return x + (a - x % a) % a; }

void putBytes(std::vector<std::byte>& out, const void* p, std::size_t n)
{
    const auto* b = static_cast<const std::byte*>(p);
    out.insert(out.end(), b, b + n);
}

template <typename T>
void putPod(std::vector<std::byte>& out, T v)
{
    putBytes(out, &v, sizeof(T)); // GGUF is little-endian; so is every host we build for
}

void putString(std::vector<std::byte>& out, std::string_view s)
{
    putPod<std::uint64_t>(out, s.size());
    putBytes(out, s.data(), s.size());
}

// Buffers small writes; counts the bytes of the tensor being produced.
class BufferedOutput final : public TensorOutput {
public:
    explicit BufferedOutput(AtomicFile& f) : m_file(f) { m_buf.reserve(kBuffer); }

    void begin(std::uint64_t expected, const std::string* name)
    {
        m_expected = expected;
        m_done = 0;
        m_name = name;
    }
    std::uint64_t produced() const { return m_done; }

    Status write(std::span<const std::byte> bytes) override
    {
        if (bytes.size() > m_expected - m_done) {
            Error e = makeError(ErrorCode::InvalidArgument, m_file.tempPath().string(), "producer wrote more bytes than the tensor holds");
            if (m_name) e.tensor = *m_name;
            return e;
        }
        m_done += bytes.size();
        return raw(bytes.data(), bytes.size());
    }

    Status raw(const std::byte* p, std::size_t n)
    {
        if (m_buf.size() + n <= kBuffer) {
            m_buf.insert(m_buf.end(), p, p + n);
            return okStatus();
        }
        CONDENSE_TRY(flush());
        if (n >= kBuffer) return m_file.write(p, n);
        m_buf.insert(m_buf.end(), p, p + n);
        return okStatus();
    }

    Status zeros(std::uint64_t n)
    {
        static constexpr std::byte kZero[64] = {};
        while (n > 0) {
            const std::size_t c = static_cast<std::size_t>(std::min<std::uint64_t>(n, sizeof kZero));
            CONDENSE_TRY(raw(kZero, c));
            n -= c;
        }
        return okStatus();
    }

    Status flush()
    {
        if (m_buf.empty()) return okStatus();
        auto s = m_file.write(m_buf.data(), m_buf.size());
        m_buf.clear();
        return s;
    }

private:
    static constexpr std::size_t kBuffer = 4u << 20;
    AtomicFile& m_file;
    std::vector<std::byte> m_buf;
    std::uint64_t m_expected = 0;
    std::uint64_t m_done = 0;
    const std::string* m_name = nullptr;
};

} // namespace

void GgufWriter::set(std::string key, GgufValue value)
{
    for (auto& kv : m_kv)
        if (kv.key == key) {
            kv.value = std::move(value);
            if (kv.key == "general.alignment") relayout();
            return;
        }
    const bool isAlignment = key == "general.alignment";
    m_kv.push_back({std::move(key), std::move(value)});
    if (isAlignment) relayout();
}

bool GgufWriter::remove(std::string_view key)
{
    const auto it = std::find_if(m_kv.begin(), m_kv.end(), [&](const GgufKV& kv) { return kv.key == key; });
    if (it == m_kv.end()) return false;
    m_kv.erase(it);
    if (key == "general.alignment") relayout();
    return true;
}

const GgufValue* GgufWriter::find(std::string_view key) const
{
    for (const auto& kv : m_kv)
        if (kv.key == key) return &kv.value;
    return nullptr;
}

std::uint32_t GgufWriter::alignment() const
{
    if (const GgufValue* a = find("general.alignment")) {
        const auto v = a->asUInt();
        if (a->type() == GgufType::U32 && v && *v != 0 && (*v & (*v - 1)) == 0) return static_cast<std::uint32_t>(*v);
    }
    return kGgufDefaultAlignment;
}

void GgufWriter::relayout()
{
    const std::uint64_t a = alignment();
    std::uint64_t offset = 0;
    for (auto& t : m_tensors) {
        t.offset = offset;
        offset += alignUp(t.bytes, a);
    }
}

std::uint64_t GgufWriter::dataBytes() const
{
    const std::uint64_t a = alignment();
    std::uint64_t n = 0;
    for (const auto& t : m_tensors) n += alignUp(t.bytes, a);
    return n;
}

Status GgufWriter::addTensor(std::string name, DType type, const std::vector<std::uint64_t>& ne)
{
    if (name.empty() || name.size() >= 64)
        return makeError(ErrorCode::InvalidArgument, {}, "tensor name '" + name + "' must have 1 to 63 bytes (ggml's GGML_MAX_NAME)");
    for (const auto& t : m_tensors)
        if (t.name == name) return makeError(ErrorCode::InvalidArgument, {}, "duplicate tensor name '" + name + "'");
    const DTypeTraits* tr = dtypeTraits(type);
    if (!tr || !tr->isGgml) return makeError(ErrorCode::UnsupportedType, {}, "tensor '" + name + "': type cannot be stored in GGUF");
    if (ne.empty() || ne.size() > 4)
        return makeError(ErrorCode::InvalidArgument, {}, "tensor '" + name + "' has " + std::to_string(ne.size()) + " dimensions (1 to 4 allowed)");
    GgufTensorInfo t;
    t.name = std::move(name);
    t.type = type;
    t.nDims = static_cast<std::uint32_t>(ne.size());
    std::uint64_t elements = 1;
    for (std::size_t d = 0; d < ne.size(); ++d) {
        t.ne[d] = ne[d];
        const auto m = checkedMul(elements, ne[d]);
        if (!m || *m > static_cast<std::uint64_t>(INT64_MAX)) return makeError(ErrorCode::Overflow, {}, "tensor '" + t.name + "' element count overflows");
        elements = *m;
    }
    const auto bytes = dtypeBytes(type, ne[0], elements);
    if (!bytes)
        return makeError(ErrorCode::InvalidArgument, {}, "tensor '" + t.name + "': row length " + std::to_string(ne[0]) + " is not a multiple of the " + std::string(tr->name) + " block size");
    t.bytes = *bytes;
    const std::uint64_t a = alignment();
    t.offset = m_tensors.empty() ? 0 : m_tensors.back().offset + alignUp(m_tensors.back().bytes, a);
    m_tensors.push_back(std::move(t));
    return okStatus();
}

Result<std::vector<std::byte>> GgufWriter::serializeHeader() const
{
    if (const GgufValue* a = find("general.alignment")) {
        const auto v = a->asUInt();
        if (a->type() != GgufType::U32 || !v || *v == 0 || (*v & (*v - 1)) != 0)
            return makeError(ErrorCode::InvalidArgument, {}, "general.alignment must be a power-of-two u32");
    }
    std::vector<std::byte> h;
    putPod<std::uint32_t>(h, kGgufMagic);
    putPod<std::uint32_t>(h, 3);
    putPod<std::uint64_t>(h, m_tensors.size());
    putPod<std::uint64_t>(h, m_kv.size());
    for (const auto& kv : m_kv) {
        if (kv.key.empty()) return makeError(ErrorCode::InvalidArgument, {}, "empty metadata key");
        putString(h, kv.key);
        const GgufValue& v = kv.value;
        putPod<std::uint32_t>(h, static_cast<std::uint32_t>(v.type()));
        switch (v.type()) {
        case GgufType::String: putString(h, *v.asString()); break;
        case GgufType::Array: {
            const GgufType elem = v.elementType();
            if (elem == GgufType::Array)
                return makeError(ErrorCode::InvalidArgument, {}, "metadata '" + kv.key + "' is a nested array (ggml cannot read those)");
            putPod<std::uint32_t>(h, static_cast<std::uint32_t>(elem));
            putPod<std::uint64_t>(h, v.size());
            if (elem == GgufType::String) {
                if (v.strings().size() != v.size()) return makeError(ErrorCode::InvalidArgument, {}, "metadata '" + kv.key + "': inconsistent string array");
                for (const auto& s : v.strings()) putString(h, s);
            } else {
                if (v.raw().size() != v.size() * ggufScalarSize(elem))
                    return makeError(ErrorCode::InvalidArgument, {}, "metadata '" + kv.key + "': inconsistent numeric array");
                putBytes(h, v.raw().data(), v.raw().size());
            }
            break;
        }
        default:
            if (v.raw().size() != ggufScalarSize(v.type()))
                return makeError(ErrorCode::InvalidArgument, {}, "metadata '" + kv.key + "': malformed scalar");
            putBytes(h, v.raw().data(), v.raw().size());
            break;
        }
    }
    for (const auto& t : m_tensors) {
        putString(h, t.name);
        putPod<std::uint32_t>(h, t.nDims);
        for (std::uint32_t d = 0; d < t.nDims; ++d) putPod<std::uint64_t>(h, t.ne[d]);
        putPod<std::uint32_t>(h, static_cast<std::uint32_t>(t.type));
        putPod<std::uint64_t>(h, t.offset);
    }
    h.resize(static_cast<std::size_t>(alignUp(h.size(), alignment())), std::byte{0});
    return h;
}

Result<GgufWriteReport> GgufWriter::write(const fs::path& output, const TensorProducer& produce,
                                          const GgufWriteOptions& options, jobs::ProgressSink& progress,
                                          std::stop_token stop) const
{
    const std::string out = output.string();
    auto header = serializeHeader();
    if (!header) {
        Error e = std::move(header).error();
        e.file = out;
        return e;
    }
    const std::uint64_t total = header->size() + dataBytes();
    const std::uint64_t a = alignment();

    AtomicFile tmp;
    CONDENSE_TRY(tmp.open(output, options.inputs));
    BufferedOutput buf(tmp);
    CONDENSE_TRY(buf.raw(header->data(), header->size()));

    const std::size_t n = m_tensors.size();
    for (std::size_t i = 0; i < n; ++i) {
        const GgufTensorInfo& t = m_tensors[i];
        if (stop.stop_requested()) return makeError(ErrorCode::Cancelled, out, "cancelled");
        progress.report(options.tensorStage, i, n, t.name);
        buf.begin(t.bytes, &t.name);
        Status s = produce(i, buf);
        if (!s) {
            Error e = std::move(s).error();
            if (e.tensor.empty()) e.tensor = t.name;
            return e;
        }
        if (buf.produced() != t.bytes) {
            Error e = makeError(ErrorCode::InvalidArgument, out, "producer wrote " + std::to_string(buf.produced()) + " of " + std::to_string(t.bytes) + " bytes");
            e.tensor = t.name;
            return e;
        }
        CONDENSE_TRY(buf.zeros(alignUp(t.bytes, a) - t.bytes));
    }
    progress.report(options.tensorStage, n, n);
    CONDENSE_TRY(buf.flush());
    CONDENSE_TRY(tmp.finish());
    if (tmp.written() != total)
        return makeError(ErrorCode::IoError, tmp.tempPath().string(), "wrote " + std::to_string(tmp.written()) + " bytes, expected " + std::to_string(total));
    if (stop.stop_requested()) return makeError(ErrorCode::Cancelled, out, "cancelled");

    // Re-read what is on disk with the reader everyone else uses.
    progress.report(jobs::Stage::Validating, 0, 1, output.filename().string());
    {
        auto back = GgufFile::open(tmp.tempPath());
        if (!back) {
            Error e = std::move(back).error();
            e.detail = "written file does not read back: " + e.detail;
            return e;
        }
        const GgufFile& g = **back;
        const auto bad = [&](const std::string& what) {
            return makeError(ErrorCode::IoError, tmp.tempPath().string(), "written file differs from what was meant to be written: " + what);
        };
        if (g.version() != 3) return bad("version");
        if (g.fileSize() != total) return bad("file size " + std::to_string(g.fileSize()) + " != " + std::to_string(total));
        if (g.dataOffset() != header->size()) return bad("data section offset");
        if (g.alignment() != a) return bad("alignment");
        if (g.metadata().size() != m_kv.size()) return bad("metadata count");
        for (std::size_t k = 0; k < m_kv.size(); ++k)
            if (g.metadata()[k].key != m_kv[k].key || !(g.metadata()[k].value == m_kv[k].value)) return bad("metadata '" + m_kv[k].key + "'");
        if (g.tensors().size() != n) return bad("tensor count");
        for (std::size_t i = 0; i < n; ++i) {
            const auto& r = g.tensors()[i];
            const auto& w = m_tensors[i];
            if (r.name != w.name || r.type != w.type || r.nDims != w.nDims || r.offset != w.offset || r.bytes != w.bytes ||
                !std::equal(r.ne, r.ne + 4, w.ne))
                return bad("tensor info of '" + w.name + "'");
        }
    }
    progress.report(jobs::Stage::Validating, 1, 1, output.filename().string());
    if (stop.stop_requested()) return makeError(ErrorCode::Cancelled, out, "cancelled");

    CONDENSE_TRY(tmp.commit());
    return GgufWriteReport{output, total};
}

} // namespace condense::io
