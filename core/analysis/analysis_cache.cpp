#include "core/analysis/analysis_cache.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <system_error>

#include "core/io/atomic_file.h"
#include "core/tensor/float_convert.h"

namespace condense::analysis {

namespace {

constexpr char kMagic[8] = {'C', 'N', 'D', 'S', 'A', 'N', 'A', '1'};
constexpr std::uint32_t kVersion = 3; // 3: outlier maps and column maxima as packed F16 codes where exact
constexpr std::size_t kHeaderHashBytes = 1u << 20;
constexpr std::uint64_t kMaxCacheBytes = 1ull << 32;

std::uint64_t fnv1a(const void* data, std::size_t n, std::uint64_t h = 1469598103934665603ull)
{
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

std::string hex(std::uint64_t v)
{
    static const char* d = "0123456789abcdef";
    std::string s(16, '0');
    for (int i = 15; i >= 0; --i, v >>= 4) s[static_cast<std::size_t>(i)] = d[v & 15];
    return s;
}

class Writer {
public:
    std::string out;
    template <typename T>
    void pod(const T& v)
    {
        out.append(reinterpret_cast<const char*>(&v), sizeof v);
    }
    void str(const std::string& s)
    {
        pod(static_cast<std::uint64_t>(s.size()));
        out += s;
    }
    template <typename T>
    void vec(const std::vector<T>& v)
    {
        pod(static_cast<std::uint64_t>(v.size()));
        out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
    }
};

class Reader {
public:
    Reader(const std::string& s, std::size_t end) : m_s(s), m_end(end) {}
    bool ok = true;
    template <typename T>
    T pod()
    {
        T v{};
        if (!ok || m_end - m_pos < sizeof v) {
            ok = false;
            return v;
        }
        std::memcpy(&v, m_s.data() + m_pos, sizeof v);
        m_pos += sizeof v;
        return v;
    }
    std::string str()
    {
        const auto n = pod<std::uint64_t>();
        if (!ok || m_end - m_pos < n) {
            ok = false;
            return {};
        }
        std::string r = m_s.substr(m_pos, n);
        m_pos += n;
        return r;
    }
    std::string bytes(std::uint64_t n)
    {
        if (!ok || m_end - m_pos < n) {
            ok = false;
            return {};
        }
        std::string r = m_s.substr(m_pos, static_cast<std::size_t>(n));
        m_pos += static_cast<std::size_t>(n);
        return r;
    }
    template <typename T>
    std::vector<T> vec()
    {
        const auto n = pod<std::uint64_t>();
        if (!ok || n > (m_end - m_pos) / sizeof(T)) {
            ok = false;
            return {};
        }
        std::vector<T> v(n);
        std::memcpy(v.data(), m_s.data() + m_pos, n * sizeof(T));
        m_pos += n * sizeof(T);
        return v;
    }
    bool atEnd() const { return m_pos == m_end; }

private:
    const std::string& m_s;
    std::size_t m_end;
    std::size_t m_pos = 0;
};

// Compact, lossless float vectors. Most of a cache is outlier maps and per-column maxima: for
// F16 / BF16 models those are F16 values (max |w| of F16 weights; a map cell is max |w| / std,
// kept as that max |w|). A vector is stored as
//   u8 kCodes | u64 n | u16 base | u8 bits | ceil(n * bits / 8) bytes: F16 codes - base, packed
//   u8 kFloats | u64 n | n floats
// the packed form only when decoding gives every value back bit for bit.
constexpr std::uint8_t kFloats = 0, kCodes = 1;

void writeFloats(Writer& w, const std::vector<float>& v)
{
    w.pod(kFloats);
    w.vec(v);
}

void writeCodes(Writer& w, const std::vector<std::uint16_t>& codes)
{
    std::uint16_t lo = 0xffff, hi = 0;
    for (std::uint16_t c : codes) {
        lo = std::min(lo, c);
        hi = std::max(hi, c);
    }
    if (codes.empty()) lo = 0;
    std::uint8_t bits = 0;
    while (bits < 16 && (static_cast<std::uint32_t>(hi - lo) >> bits) != 0) ++bits;
    w.pod(kCodes);
    w.pod(static_cast<std::uint64_t>(codes.size()));
    w.pod(lo);
    w.pod(bits);
    // Little-endian bit stream: value i occupies bits [i * bits, (i + 1) * bits).
    std::uint64_t acc = 0;
    unsigned have = 0;
    for (std::uint16_t c : codes) {
        acc |= static_cast<std::uint64_t>(c - lo) << have;
        have += bits;
        for (; have >= 8; have -= 8, acc >>= 8) w.out += static_cast<char>(acc & 0xff);
    }
    if (have > 0) w.out += static_cast<char>(acc & 0xff);
}

// Column maxima (or any non-negative floats): codes when every value is an F16 value.
void writeValues(Writer& w, const std::vector<float>& v)
{
    std::vector<std::uint16_t> codes(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
        codes[i] = fp32ToFp16(v[i]);
        if (floatToBits(fp16ToFp32(codes[i])) != floatToBits(v[i])) return writeFloats(w, v);
    }
    writeCodes(w, codes);
}

// A map cell from its max |w| exactly as analyzeTensor computes it.
float mapCell(float maxAbs, double sd) { return static_cast<float>(static_cast<double>(maxAbs) / sd); }

// Outlier map cells: the F16 max |w| of each cell when one gives the cell back exactly.
void writeMap(Writer& w, const std::vector<float>& cells, double sd)
{
    if (!(sd > 0) || !std::isfinite(sd)) return writeFloats(w, cells);
    std::vector<std::uint16_t> codes(cells.size());
    for (std::size_t i = 0; i < cells.size(); ++i) {
        const std::uint16_t guess = fp32ToFp16(static_cast<float>(static_cast<double>(cells[i]) * sd));
        bool found = false;
        for (int delta : {0, -1, 1, -2, 2}) {
            const int c = static_cast<int>(guess) + delta;
            if (c < 0 || c > 0x7bff) continue;
            if (floatToBits(mapCell(fp16ToFp32(static_cast<std::uint16_t>(c)), sd)) == floatToBits(cells[i])) {
                codes[i] = static_cast<std::uint16_t>(c);
                found = true;
                break;
            }
        }
        if (!found) return writeFloats(w, cells);
    }
    writeCodes(w, codes);
}

void writePreview(Writer& w, const QuantPreview& p)
{
    w.pod(static_cast<std::uint32_t>(p.type));
    w.pod(p.sums.count);
    w.pod(p.sums.errSq);
    w.pod(p.sums.refSq);
    w.pod(p.sums.maxAbsError);
    w.pod(p.sums.weightedErrSq);
    w.pod(p.sums.weightedRefSq);
    w.pod(static_cast<std::uint8_t>(p.sums.weighted));
}

// The values of writeFloats / writeCodes; codes go through `value` (F16 code -> float).
template <typename F>
std::vector<float> readValues(Reader& r, F value)
{
    const auto kind = r.pod<std::uint8_t>();
    if (kind == kFloats) return r.vec<float>();
    if (kind != kCodes) {
        r.ok = false;
        return {};
    }
    const auto n = r.pod<std::uint64_t>();
    const auto lo = r.pod<std::uint16_t>();
    const auto bits = r.pod<std::uint8_t>();
    if (!r.ok || bits > 16 || n > (std::uint64_t{1} << 40)) {
        r.ok = false;
        return {};
    }
    const std::string packed = r.bytes((n * bits + 7) / 8);
    if (!r.ok) return {};
    std::vector<float> v(static_cast<std::size_t>(n));
    std::uint64_t acc = 0;
    unsigned have = 0;
    std::size_t at = 0;
    const std::uint32_t mask = (1u << bits) - 1;
    for (auto& x : v) {
        for (; have < bits; have += 8) acc |= static_cast<std::uint64_t>(static_cast<unsigned char>(packed[at++])) << have;
        const std::uint32_t c = lo + (static_cast<std::uint32_t>(acc) & mask);
        acc >>= bits;
        have -= bits;
        if (c > 0xffff) {
            r.ok = false;
            return {};
        }
        x = value(fp16ToFp32(static_cast<std::uint16_t>(c)));
    }
    return v;
}

QuantPreview readPreview(Reader& r)
{
    QuantPreview p;
    const auto t = r.pod<std::uint32_t>();
    const DTypeTraits* tr = dtypeTraits(static_cast<DType>(t));
    if (!tr) r.ok = false;
    p.type = static_cast<DType>(t);
    p.sums.count = r.pod<std::uint64_t>();
    p.sums.errSq = r.pod<double>();
    p.sums.refSq = r.pod<double>();
    p.sums.maxAbsError = r.pod<double>();
    p.sums.weightedErrSq = r.pod<double>();
    p.sums.weightedRefSq = r.pod<double>();
    p.sums.weighted = r.pod<std::uint8_t>() != 0;
    return p;
}

void writeTensor(Writer& w, const std::string& name, const CachedTensor& c)
{
    const TensorAnalysis& a = c.analysis;
    w.str(name);
    w.pod(static_cast<std::uint32_t>(a.dtype));
    w.vec(a.shape);
    w.pod(a.rows);
    w.pod(a.cols);
    w.pod(static_cast<std::int32_t>(a.layer));
    const TensorStats& s = a.stats;
    for (std::uint64_t v : {s.count, s.finite, s.nan, s.inf, s.zeros}) w.pod(v);
    for (double v : {s.mean, s.std, s.min, s.max, s.absMax, s.kurtosis, s.beyond3Std, s.beyond6Std}) w.pod(v);
    w.pod(a.histogram.lo);
    w.pod(a.histogram.hi);
    w.pod(a.histogram.bins);
    w.pod(a.histogram.under);
    w.pod(a.histogram.over);
    w.pod(a.outlierMap.cellRows);
    w.pod(a.outlierMap.cellCols);
    writeMap(w, a.outlierMap.cells, s.std);
    w.pod(static_cast<std::uint64_t>(a.top.size()));
    for (const Outlier& o : a.top) {
        w.pod(o.row);
        w.pod(o.col);
        w.pod(o.value);
    }
    w.vec(a.columnL2);
    writeValues(w, a.columnMaxAbs);
    w.pod(static_cast<std::uint32_t>(c.previews.size()));
    for (const auto& [key, p] : c.previews) {
        w.str(key);
        w.pod(static_cast<std::uint8_t>(p.has_value()));
        if (p) writePreview(w, *p);
    }
}

bool readTensor(Reader& r, std::string& name, CachedTensor& c)
{
    TensorAnalysis& a = c.analysis;
    name = r.str();
    a.name = name;
    const auto t = r.pod<std::uint32_t>();
    if (!dtypeTraits(static_cast<DType>(t))) return false;
    a.dtype = static_cast<DType>(t);
    a.shape = r.vec<std::uint64_t>();
    a.rows = r.pod<std::uint64_t>();
    a.cols = r.pod<std::uint64_t>();
    a.layer = r.pod<std::int32_t>();
    TensorStats& s = a.stats;
    for (std::uint64_t* v : {&s.count, &s.finite, &s.nan, &s.inf, &s.zeros}) *v = r.pod<std::uint64_t>();
    for (double* v : {&s.mean, &s.std, &s.min, &s.max, &s.absMax, &s.kurtosis, &s.beyond3Std, &s.beyond6Std}) *v = r.pod<double>();
    a.histogram.lo = r.pod<float>();
    a.histogram.hi = r.pod<float>();
    a.histogram.bins = r.pod<decltype(a.histogram.bins)>();
    a.histogram.under = r.pod<std::uint64_t>();
    a.histogram.over = r.pod<std::uint64_t>();
    a.outlierMap.cellRows = r.pod<std::uint32_t>();
    a.outlierMap.cellCols = r.pod<std::uint32_t>();
    const double sd = s.std;
    a.outlierMap.cells = readValues(r, [sd](float maxAbs) { return mapCell(maxAbs, sd); });
    const auto nTop = r.pod<std::uint64_t>();
    for (std::uint64_t i = 0; i < nTop && i <= kTopOutliers && r.ok; ++i) {
        Outlier o;
        o.row = r.pod<std::uint64_t>();
        o.col = r.pod<std::uint64_t>();
        o.value = r.pod<float>();
        a.top.push_back(o);
    }
    if (nTop > kTopOutliers) return false;
    a.columnL2 = r.vec<float>();
    a.columnMaxAbs = readValues(r, [](float x) { return x; });
    const auto np = r.pod<std::uint32_t>();
    for (std::uint32_t i = 0; i < np && r.ok; ++i) {
        std::string key = r.str();
        if (r.pod<std::uint8_t>() != 0) c.previews[key] = readPreview(r);
        else c.previews[key] = std::nullopt;
    }
    // Internal consistency: a damaged file that still parses must not reach a table or plot.
    return r.ok && a.outlierMap.cells.size() == static_cast<std::size_t>(a.outlierMap.cellRows) * a.outlierMap.cellCols &&
           a.columnL2.size() == a.cols && a.columnMaxAbs.size() == a.cols && a.top.size() <= kTopOutliers;
}

} // namespace

std::string AnalysisCache::fileKey(const io::Checkpoint& ck)
{
    std::string key;
    for (const std::string& f : ck.files()) {
        std::error_code ec;
        const auto size = std::filesystem::file_size(f, ec);
        if (ec) return {};
        const auto mtime = std::filesystem::last_write_time(f, ec);
        if (ec) return {};
        std::ifstream in(f, std::ios::binary);
        if (!in) return {};
        std::string head(static_cast<std::size_t>(std::min<std::uintmax_t>(size, kHeaderHashBytes)), '\0');
        in.read(head.data(), static_cast<std::streamsize>(head.size()));
        if (in.gcount() != static_cast<std::streamsize>(head.size())) return {};
        key += f + "|" + std::to_string(size) + "|" + std::to_string(mtime.time_since_epoch().count()) + "|" +
               hex(fnv1a(head.data(), head.size())) + ";";
    }
    return key;
}

std::filesystem::path AnalysisCache::cachePath(const std::filesystem::path& dir, const io::Checkpoint& ck)
{
    std::error_code ec;
    auto p = std::filesystem::weakly_canonical(ck.path(), ec);
    const std::string s = ec ? ck.path().string() : p.string();
    return dir / ("analysis-" + hex(fnv1a(s.data(), s.size())) + ".bin");
}

std::map<std::string, CachedTensor> AnalysisCache::load(const std::filesystem::path& dir, const io::Checkpoint& ck)
{
    std::map<std::string, CachedTensor> entries;
    if (dir.empty()) return entries;
    const auto path = cachePath(dir, ck);
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec || size < sizeof kMagic + 12 || size > kMaxCacheBytes) return entries;
    std::ifstream in(path, std::ios::binary);
    std::string data(static_cast<std::size_t>(size), '\0');
    if (!in.read(data.data(), static_cast<std::streamsize>(size))) return entries;
    const std::size_t body = data.size() - 8;
    std::uint64_t sum = 0;
    std::memcpy(&sum, data.data() + body, 8);
    if (sum != fnv1a(data.data(), body) || std::memcmp(data.data(), kMagic, sizeof kMagic) != 0) return entries;
    Reader r(data, body);
    r.pod<std::array<char, 8>>();
    if (r.pod<std::uint32_t>() != kVersion) return entries;
    const std::string key = fileKey(ck);
    if (key.empty() || r.str() != key) return entries;
    const auto n = r.pod<std::uint32_t>();
    for (std::uint32_t i = 0; i < n && r.ok; ++i) {
        std::string name;
        CachedTensor c;
        if (!readTensor(r, name, c)) return {};
        c.analysis.fromCache = true;
        entries[name] = std::move(c);
    }
    if (!r.ok || !r.atEnd()) return {};
    return entries;
}

Status AnalysisCache::save(const std::filesystem::path& dir, const io::Checkpoint& ck,
                           const std::map<std::string, CachedTensor>& entries)
{
    const std::string key = fileKey(ck);
    if (key.empty()) return makeError(ErrorCode::IoError, ck.path().string(), "cannot identify the model's files for the cache");
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return makeError(ErrorCode::IoError, dir.string(), ec.message());
    Writer w;
    w.out.append(kMagic, sizeof kMagic);
    w.pod(kVersion);
    w.str(key);
    w.pod(static_cast<std::uint32_t>(entries.size()));
    for (const auto& [name, c] : entries) writeTensor(w, name, c);
    w.pod(fnv1a(w.out.data(), w.out.size()));
    return io::writeFileAtomically(cachePath(dir, ck), w.out);
}

} // namespace condense::analysis
