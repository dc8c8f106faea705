#include "core/io/gguf_writer.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>

#ifndef _WIN32
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#else
#include <fcntl.h>
#include <io.h>
#include <sys/stat.h>
#endif

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

bool isDiskFull(int e)
{
#ifdef EDQUOT
    if (e == EDQUOT) return true;
#endif
    return e == ENOSPC;
}

Error ioError(int e, const std::string& file, const std::string& what)
{
    return makeError(isDiskFull(e) ? ErrorCode::DiskFull : ErrorCode::IoError, file, what + ": " + std::strerror(e));
}

// The temporary output file: created exclusively in the target folder, removed unless
// released after the final rename.
class TempFile {
public:
    ~TempFile() { discard(); }

    Status create(const fs::path& target)
    {
        const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
        std::random_device rd;
        std::mt19937_64 rng((static_cast<std::uint64_t>(rd()) << 32) ^ rd());
        for (int attempt = 0; attempt < 16; ++attempt) {
            char suffix[24];
            std::snprintf(suffix, sizeof suffix, "%016llx", static_cast<unsigned long long>(rng()));
            const fs::path p = dir / ("." + target.filename().string() + ".condense-" + suffix + ".tmp");
#ifndef _WIN32
            const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
#else
            const int fd = ::_wopen(p.c_str(), _O_WRONLY | _O_CREAT | _O_EXCL | _O_BINARY, _S_IREAD | _S_IWRITE);
#endif
            if (fd >= 0) {
                m_fd = fd;
                m_path = p;
                return okStatus();
            }
            if (errno != EEXIST) return ioError(errno, p.string(), "cannot create the temporary output file");
        }
        return makeError(ErrorCode::IoError, target.string(), "cannot find a free temporary file name beside the output");
    }

    const fs::path& path() const { return m_path; }

    Status write(const std::byte* p, std::size_t n)
    {
        while (n > 0) {
            const std::size_t chunk = std::min<std::size_t>(n, std::size_t{1} << 30);
#ifndef _WIN32
            const ssize_t w = ::write(m_fd, p, chunk);
#else
            const int w = ::_write(m_fd, p, static_cast<unsigned>(chunk));
#endif
            if (w < 0) {
                if (errno == EINTR) continue;
                return ioError(errno, m_path.string(), "write failed");
            }
            if (w == 0) return makeError(ErrorCode::IoError, m_path.string(), "write made no progress");
            p += w;
            n -= static_cast<std::size_t>(w);
            m_written += static_cast<std::uint64_t>(w);
        }
        return okStatus();
    }

    // Flushes to stable storage and closes; errors here (ENOSPC on delayed allocation, NFS) count.
    Status finish()
    {
#ifndef _WIN32
        if (::fsync(m_fd) != 0 && errno != EINVAL && errno != EROFS) return ioError(errno, m_path.string(), "fsync failed");
        const int rc = ::close(m_fd);
#else
        if (::_commit(m_fd) != 0) return ioError(errno, m_path.string(), "flush failed");
        const int rc = ::_close(m_fd);
#endif
        m_fd = -1;
        if (rc != 0 && errno != EINTR) return ioError(errno, m_path.string(), "close failed");
        return okStatus();
    }

    std::uint64_t written() const { return m_written; }

    // After a successful rename the temporary name no longer exists.
    void release() { m_path.clear(); }

    void discard()
    {
        if (m_fd >= 0) {
#ifndef _WIN32
            ::close(m_fd);
#else
            ::_close(m_fd);
#endif
            m_fd = -1;
        }
        if (!m_path.empty()) {
            std::error_code ec;
            fs::remove(m_path, ec);
            m_path.clear();
        }
    }

private:
    int m_fd = -1;
    fs::path m_path;
    std::uint64_t m_written = 0;
};

// Buffers small writes; counts the bytes of the tensor being produced.
class BufferedOutput final : public TensorOutput {
public:
    explicit BufferedOutput(TempFile& f) : m_file(f) { m_buf.reserve(kBuffer); }

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
            Error e = makeError(ErrorCode::InvalidArgument, m_file.path().string(), "producer wrote more bytes than the tensor holds");
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
    TempFile& m_file;
    std::vector<std::byte> m_buf;
    std::uint64_t m_expected = 0;
    std::uint64_t m_done = 0;
    const std::string* m_name = nullptr;
};

void syncDirectory([[maybe_unused]] const fs::path& dir)
{
#ifndef _WIN32
    const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd); // best effort: the data itself is already synced
        ::close(fd);
    }
#endif
}

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
    std::error_code ec;
    if (output.filename().empty()) return makeError(ErrorCode::InvalidArgument, out, "output path names a folder, not a file");
    if (fs::is_directory(output, ec)) return makeError(ErrorCode::InvalidArgument, out, "output path is an existing folder");
    const fs::path dir = output.has_parent_path() ? output.parent_path() : fs::path(".");
    if (!fs::is_directory(dir, ec)) return makeError(ErrorCode::NotFound, out, "the output folder does not exist");
    if (fs::exists(output, ec))
        for (const auto& in : options.inputs) {
            std::error_code eq;
            if (fs::equivalent(output, in, eq))
                return makeError(ErrorCode::InvalidArgument, out, "refusing to overwrite an input file of this conversion");
        }

    auto header = serializeHeader();
    if (!header) {
        Error e = std::move(header).error();
        e.file = out;
        return e;
    }
    const std::uint64_t total = header->size() + dataBytes();
    const std::uint64_t a = alignment();

    TempFile tmp;
    CONDENSE_TRY(tmp.create(output));
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
        return makeError(ErrorCode::IoError, tmp.path().string(), "wrote " + std::to_string(tmp.written()) + " bytes, expected " + std::to_string(total));
    if (stop.stop_requested()) return makeError(ErrorCode::Cancelled, out, "cancelled");

    // Re-read what is on disk with the reader everyone else uses.
    progress.report(jobs::Stage::Validating, 0, 1, output.filename().string());
    {
        auto back = GgufFile::open(tmp.path());
        if (!back) {
            Error e = std::move(back).error();
            e.detail = "written file does not read back: " + e.detail;
            return e;
        }
        const GgufFile& g = **back;
        const auto bad = [&](const std::string& what) {
            return makeError(ErrorCode::IoError, tmp.path().string(), "written file differs from what was meant to be written: " + what);
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

    fs::rename(tmp.path(), output, ec);
    if (ec) return makeError(ErrorCode::IoError, out, "cannot move the finished file into place: " + ec.message());
    tmp.release();
    syncDirectory(dir);
    return GgufWriteReport{output, total};
}

} // namespace condense::io
