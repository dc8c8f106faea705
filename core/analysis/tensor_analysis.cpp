#include "core/analysis/tensor_analysis.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>

#include "core/analysis/row_kernels.h"
#include "core/analysis/row_reader.h"
#include "core/arch/tensor_role.h"
#include "core/jobs/thread_arena.h"
#include "core/quant/quant_registry.h"
#include "core/tensor/float_convert.h"

namespace condense::analysis {

void PreviewSums::add(const PreviewSums& o)
{
    count += o.count;
    errSq += o.errSq;
    refSq += o.refSq;
    maxAbsError = std::max(maxAbsError, o.maxAbsError);
    weightedErrSq += o.weightedErrSq;
    weightedRefSq += o.weightedRefSq;
    weighted = weighted || o.weighted;
}

double PreviewSums::snrDb() const
{
    if (errSq <= 0) return std::numeric_limits<double>::infinity();
    if (refSq <= 0) return -std::numeric_limits<double>::infinity();
    return 10.0 * std::log10(refSq / errSq);
}

namespace {

constexpr std::size_t kMaxParts = 64;
constexpr std::uint64_t kMinPartValues = 1u << 18;
constexpr std::size_t kSampleRows = 64;
constexpr std::uint64_t kSampleValues = 65536;
constexpr std::array<double, 2> kTailStds = {3.0, 6.0};
// Candidate bands around the provisional thresholds k * s_s, as factors of it: the true std
// must fall inside for the one-pass count to be exact (else a second pass counts).
constexpr float kBandLo = 0.85f, kBandHi = 1.2f;
constexpr double kBandMargin = 1e-5;

struct TopItem {
    float a;            // |w|
    std::uint64_t flat; // row * cols + col
    float v;
};
// Better = larger |w|, then lower flat index.
bool better(const TopItem& x, const TopItem& y) { return x.a != y.a ? x.a > y.a : x.flat < y.flat; }
// Heap order: the worst item on top.
bool heapLess(const TopItem& x, const TopItem& y) { return better(x, y); }

struct Part {
    std::uint64_t r0 = 0, r1 = 0;
    std::uint64_t nan = 0, inf = 0;
    detail::RowSums sums; // finite values: moments, min/max, zeros, histogram, tail bands
    std::uint32_t cellRow0 = 0;
    std::vector<float> cells;    // max |w| per cell, rows cellRow0..
    std::uint32_t openCellRow = 0;
    std::vector<float> cellRowMax; // per column: max |w| over the rows of the open cell row
    std::vector<double> colSq;
    std::vector<float> colMax;
    std::vector<TopItem> top; // heap
    std::vector<std::int32_t> slots; // per column scratch
    // 16-bit float tensors: |code| maxima per column (open cell row, all rows) and the counts
    std::vector<std::uint16_t> cellRowMaxCode, colMaxCode, cellCodes;
    std::uint32_t* counts = nullptr;
    PreviewSums preview;
    bool previewBad = false;
};

struct Setup {
    std::uint64_t rows = 0, cols = 0;
    float ms = 0;        // provisional mean
    std::array<float, 2> bandLo{}, bandHi{};
    detail::RowParams params;
    detail::FiniteRowFn kernel = nullptr;
    detail::RowErrorFn errorKernel = nullptr;
    // 16-bit float tensors (F16, BF16): codes counted, statistics derived from the counts
    bool codes16 = false;
    detail::Code16Format fmt;
    detail::Code16TileFn codeTile = nullptr;
    detail::Code16PoolFn codePool = nullptr;
    std::uint16_t* rowMaxCode = nullptr; // per row: largest finite |code|
    std::atomic<float>* topGate = nullptr; // shared by the parts (see rowRest)
    float firstGate = -1.0f;
    std::uint32_t cellRows = 0, cellCols = 0;
    std::vector<std::uint32_t> cellColBegin; // cellCols + 1 column bounds
    // preview
    const quant::QuantKernels* kernels = nullptr;
    std::uint64_t qRowBytes = 0;
    const float* importance = nullptr;
    std::uint64_t ne1 = 1, ne2 = 1;
};

std::uint32_t cellOf(std::uint64_t i, std::uint64_t n, std::uint32_t cells)
{
    return static_cast<std::uint32_t>(i * cells / n);
}

void pushTop(std::vector<TopItem>& heap, const TopItem& it)
{
    if (heap.size() < kTopOutliers) {
        heap.push_back(it);
        std::push_heap(heap.begin(), heap.end(), heapLess);
    } else if (better(it, heap.front())) {
        std::pop_heap(heap.begin(), heap.end(), heapLess);
        heap.back() = it;
        std::push_heap(heap.begin(), heap.end(), heapLess);
    }
}

// Folds the open cell row's column maxima into the map and the column maxima.
void closeCellRow(const Setup& s, Part& p)
{
    float* cellRow = p.cells.data() + static_cast<std::size_t>(p.openCellRow - p.cellRow0) * s.cellCols;
    for (std::uint32_t j = 0; j < s.cellCols; ++j) {
        float m = cellRow[j];
        for (std::uint32_t c = s.cellColBegin[j]; c < s.cellColBegin[j + 1]; ++c) m = std::max(m, p.cellRowMax[c]);
        cellRow[j] = m;
    }
    for (std::uint64_t c = 0; c < s.cols; ++c) {
        p.colMax[c] = std::max(p.colMax[c], p.cellRowMax[c]);
        p.cellRowMax[c] = 0.0f;
    }
}

// The same for the code path (|code| maxima; codes order as magnitudes).
void closeCellRowCodes(const Setup& s, Part& p)
{
    float* cellRow = p.cells.data() + static_cast<std::size_t>(p.openCellRow - p.cellRow0) * s.cellCols;
    std::uint16_t* cellCodes = p.cellCodes.data();
    s.codePool(p.cellRowMaxCode.data(), s.cols, s.cellColBegin.data(), s.cellCols, cellCodes, p.colMaxCode.data());
    for (std::uint32_t j = 0; j < s.cellCols; ++j) cellRow[j] = std::max(cellRow[j], s.fmt.decode(cellCodes[j]));
}

void scanTop(const float* w, std::uint64_t r, float rowMax, const Setup& s, Part& p, bool checked);
void rowPreview(const float* w, std::uint64_t r, const Setup& s, Part& p, std::vector<std::byte>& q, std::vector<float>& y);

// Rows [r, r + k) of a 16-bit float tensor (one cell row, k <= kTileRows): counts, column
// figures, each row's largest |code| (the top outliers are found after the pass, from the
// counts); the float rows only for the preview.
void tileCodes(const RowReader& rr, std::uint64_t r, int k, const Setup& s, Part& p, std::vector<float>& row,
               std::vector<std::byte>& q, std::vector<float>& y)
{
    const std::uint32_t cellRow = cellOf(r, s.rows, s.cellRows);
    if (cellRow != p.openCellRow) {
        closeCellRowCodes(s, p);
        p.openCellRow = cellRow;
    }
    bool nonFinite = false;
    const std::byte* rows[detail::kTileRows];
    for (int i = 0; i < k; ++i) rows[i] = rr.storedRow(r + static_cast<std::uint64_t>(i));
    s.codeTile(rows, k, s.cols, s.fmt, p.counts, p.cellRowMaxCode.data(), p.colSq.data(), nonFinite, s.rowMaxCode + r);
    if (!s.kernels) return;
    if (nonFinite) {
        p.previewBad = true;
        return;
    }
    for (int i = 0; i < k; ++i) {
        rr.read(r + static_cast<std::uint64_t>(i), 1, row.data());
        rowPreview(row.data(), r + static_cast<std::uint64_t>(i), s, p, q, y);
    }
}

// The top outliers of a 16-bit float tensor: the counts give the 32nd largest |code|, and only
// the rows that reach it are read (in row order, so ties keep the lower flat index first).
std::vector<TopItem> codeTop(const RowReader& rr, const std::uint64_t* counts, const Setup& s)
{
    std::uint16_t gate = 0;
    std::uint64_t seen = 0;
    for (std::uint32_t a = s.fmt.nonFinite; a-- > 0;) {
        seen += counts[a] + counts[a | 0x8000u];
        if (seen >= kTopOutliers) {
            gate = static_cast<std::uint16_t>(a);
            break;
        }
    }
    const float g = s.fmt.decode(gate);
    std::vector<TopItem> heap;
    std::vector<float> row(s.cols);
    for (std::uint64_t r = 0; r < s.rows; ++r) {
        if (s.rowMaxCode[r] < gate) continue;
        rr.read(r, 1, row.data());
        for (std::uint64_t c = 0; c < s.cols; ++c) {
            const float x = row[c];
            if (std::isfinite(x) && std::fabs(x) >= g) pushTop(heap, TopItem{std::fabs(x), r * s.cols + c, x});
        }
    }
    return heap;
}

// Everything else per row; `checked`: the row has NaN/Inf (skipped, counted).
void rowRest(const float* w, std::uint64_t r, const Setup& s, Part& p, bool checked)
{
    const std::uint64_t n = s.cols;
    const std::uint32_t cellRow = cellOf(r, s.rows, s.cellRows);
    if (cellRow != p.openCellRow) {
        closeCellRow(s, p);
        p.openCellRow = cellRow;
    }
    float rowMax = 0.0f;
    if (checked) {
        detail::RowSums& su = p.sums;
        if (su.sinceFlush + n >= (1ull << 31)) su.flushHistogram();
        su.sinceFlush += n;
        for (std::uint64_t c = 0; c < n; ++c) {
            const float x = w[c];
            if (std::isnan(x)) { ++p.nan; continue; }
            if (std::isinf(x)) { ++p.inf; continue; }
            rowMax = std::max(rowMax, detail::finiteValue(x, c, s.params, su, p.slots.data(), p.cellRowMax.data(), p.colSq.data()));
            ++su.hist[0][static_cast<std::size_t>(p.slots[c])];
            ++su.finite;
        }
    } else {
        rowMax = s.kernel(w, n, s.params, p.sums, p.slots.data(), p.cellRowMax.data(), p.colSq.data());
    }
    scanTop(w, r, rowMax, s, p, checked);
}

void scanTop(const float* w, std::uint64_t r, float rowMax, const Setup& s, Part& p, bool checked)
{
    const std::uint64_t n = s.cols;
    // Top outliers. A value below some part's 32nd largest |w| cannot be among the tensor's 32
    // largest: the parts share the largest of their 32nd values as a gate, and only rows that
    // reach it are scanned. Values equal to the gate go on to the exact tie order of pushTop.
    float gate = s.topGate->load(std::memory_order_relaxed);
    if (rowMax < gate) return;
    for (std::uint64_t c = 0;; ++c) {
        while (c < n && !(std::fabs(w[c]) >= gate)) ++c; // NaN never passes
        if (c >= n) break;
        const float x = w[c];
        if (checked && std::isinf(x)) continue;
        const TopItem it{std::fabs(x), r * n + c, x};
        if (p.top.size() < kTopOutliers || better(it, p.top.front())) {
            pushTop(p.top, it);
            if (p.top.size() == kTopOutliers && p.top.front().a > gate) {
                gate = p.top.front().a;
                float seen = s.topGate->load(std::memory_order_relaxed);
                while (seen < gate && !s.topGate->compare_exchange_weak(seen, gate, std::memory_order_relaxed)) {
                }
            }
        }
    }
}

void rowPreview(const float* w, std::uint64_t r, const Setup& s, Part& p, std::vector<std::byte>& q, std::vector<float>& y)
{
    const float* imp = s.importance ? s.importance + ((r / s.ne1) % s.ne2) * s.cols : nullptr;
    const auto n = static_cast<std::int64_t>(s.cols);
    s.kernels->quantizeRow(w, q.data(), n, imp);
    s.kernels->dequantizeRow(q.data(), y.data(), n);
    detail::ErrorSums e;
    s.errorKernel(w, y.data(), imp, s.cols, e);
    p.preview.count += s.cols;
    p.preview.errSq += e.errSq;
    p.preview.refSq += e.refSq;
    p.preview.maxAbsError = std::max(p.preview.maxAbsError, e.maxAbs);
    p.preview.weightedErrSq += e.weightedErrSq;
    p.preview.weightedRefSq += e.weightedRefSq;
}

// Code counters for the parts running at one time (one 32-bit table a worker, reused by its
// next part; folded into 64-bit totals before a table could overflow): integer counts, so how
// parts share tables changes nothing.
class CountTables {
public:
    // A table for a part of `values` values.
    std::uint32_t* acquire(std::uint64_t values)
    {
        std::lock_guard lock(m_mutex);
        if (m_free.empty()) {
            m_tables.push_back(Table{std::make_unique<std::uint32_t[]>(65536), 0}); // zeroed
            m_free.push_back(m_tables.size() - 1);
        }
        Table& t = m_tables[m_free.back()];
        m_free.pop_back();
        if (t.counted + values > 0xffffffffull) fold(t);
        t.counted += values;
        return t.counts.get();
    }
    void release(const std::uint32_t* counts)
    {
        std::lock_guard lock(m_mutex);
        for (std::size_t i = 0; i < m_tables.size(); ++i)
            if (m_tables[i].counts.get() == counts) m_free.push_back(i);
    }
    // All counts (null when no table was used).
    const std::uint64_t* merged()
    {
        if (m_tables.empty()) return nullptr;
        for (Table& t : m_tables) fold(t);
        return m_total.data();
    }

private:
    struct Table {
        std::unique_ptr<std::uint32_t[]> counts;
        std::uint64_t counted = 0; // values counted since the last fold
    };
    void fold(Table& t)
    {
        m_total.resize(65536);
        for (std::size_t c = 0; c < 65536; ++c) {
            m_total[c] += t.counts[c];
            t.counts[c] = 0;
        }
        t.counted = 0;
    }
    std::mutex m_mutex;
    std::vector<Table> m_tables;
    std::vector<std::size_t> m_free;
    std::vector<std::uint64_t> m_total;
};

// What the counts of a 16-bit float tensor give, in code order (so independent of the parts).
struct CodeSums {
    std::uint64_t finite = 0, nan = 0, inf = 0, zeros = 0;
    float mn = std::numeric_limits<float>::infinity(), mx = -std::numeric_limits<float>::infinity();
    double s1 = 0, s2 = 0, s3 = 0, s4 = 0; // sums of powers of (w - m_s), in double
    std::array<std::uint64_t, detail::kSlots> slots{};
};

CodeSums codeSums(const std::uint64_t* counts, const Setup& s)
{
    CodeSums o;
    const double ms = static_cast<double>(s.ms);
    for (std::uint32_t code = 0; code < 65536; ++code) {
        const std::uint64_t k = counts[code];
        if (k == 0) continue;
        const auto a = static_cast<std::uint16_t>(code & 0x7fff);
        if (a >= s.fmt.nonFinite) {
            (a == s.fmt.nonFinite ? o.inf : o.nan) += k;
            continue;
        }
        const float x = s.fmt.decode(static_cast<std::uint16_t>(code));
        o.finite += k;
        if (x == 0.0f) o.zeros += k;
        o.mn = std::min(o.mn, x);
        o.mx = std::max(o.mx, x);
        const double n = static_cast<double>(k), d = static_cast<double>(x) - ms, q = d * d;
        o.s1 += n * d;
        o.s2 += n * q;
        o.s3 += n * q * d;
        o.s4 += n * q * q;
        o.slots[static_cast<std::size_t>(detail::binSlot(x, s.params.lo, s.params.scale))] += k;
    }
    return o;
}

// Finite values with |w - mean| > k std, exactly, from the counts.
std::array<std::uint64_t, 2> codeTails(const std::uint64_t* counts, const Setup& s, double mean, double sd)
{
    std::array<std::uint64_t, 2> tail{};
    for (std::uint32_t code = 0; code < 65536; ++code) {
        const std::uint64_t k = counts[code];
        if (k == 0 || (code & 0x7fff) >= s.fmt.nonFinite) continue;
        const double dx = std::fabs(static_cast<double>(s.fmt.decode(static_cast<std::uint16_t>(code))) - mean);
        for (std::size_t t = 0; t < 2; ++t) tail[t] += dx > kTailStds[t] * sd ? k : 0;
    }
    return tail;
}

// Row parts: at most kMaxParts, and (16-bit codes without a preview, whose parts cost a few
// column-sized arrays each against little work a value) at least kMinPartValues values a part.
// A function of the shape and of whether a preview runs, never of the thread count (the
// preview alone uses the full pass's parts: the same sums).
std::vector<std::pair<std::uint64_t, std::uint64_t>> partition(std::uint64_t rows, std::uint64_t cols, bool codes16)
{
    std::uint64_t n = std::min<std::uint64_t>(rows, kMaxParts);
    if (codes16) n = std::clamp<std::uint64_t>(rows * cols / kMinPartValues, 1, n);
    std::vector<std::pair<std::uint64_t, std::uint64_t>> parts;
    for (std::uint64_t i = 0; i < n; ++i) parts.emplace_back(i * rows / n, (i + 1) * rows / n);
    return parts;
}

// The preview's quantization kernels for the tensor, when the type fits its rows.
void setupPreview(const io::TensorEntry& t, const TensorAnalysisConfig& config, Setup& s)
{
    if (!config.previewType) return;
    const quant::QuantKernels* k = quant::quantKernels(*config.previewType);
    const auto qb = dtypeBytes(*config.previewType, s.cols, s.cols);
    if (k && k->quantizeRow && k->dequantizeRow && qb && (!k->requiresImportance || config.importance)) {
        s.kernels = k;
        s.qRowBytes = *qb;
        s.importance = config.importance;
        s.ne1 = t.shape.size() >= 2 ? t.shape[t.shape.size() - 2] : 1;
        s.ne2 = t.shape.size() >= 3 ? t.shape[t.shape.size() - 3] : 1;
    }
}

// The preview alone (statistics known already): the same parts and row order as the full pass,
// so the same sums.
Result<TensorAnalysis> previewOnly(const RowReader& rr, const io::TensorEntry& t, const TensorAnalysisConfig& config,
                                   Setup& s, TensorAnalysis out, std::stop_token stop, const std::string& file)
{
    s.errorKernel = detail::rowErrorKernel(config.cpuLevel);
    setupPreview(t, config, s);
    if (!s.kernels) {
        rr.release();
        return out;
    }
    const auto ranges = partition(s.rows, s.cols, s.codes16 && !s.kernels);
    std::vector<Part> parts(ranges.size());
    // 16-bit rows are checked on their codes (half the bytes of the floats).
    const detail::NonFiniteCodesFn codeCheck = s.codes16 ? detail::nonFiniteCodesKernel(config.cpuLevel) : nullptr;
    const std::uint16_t nonFinite = detail::code16Format(rr.storedType() == DType::BF16).nonFinite;
    const bool ok = jobs::parallelFor(parts.size(), stop, [&](std::size_t pi) {
        Part& p = parts[pi];
        std::vector<float> row(s.cols), y(s.cols);
        std::vector<std::byte> q(s.qRowBytes);
        for (std::uint64_t r = ranges[pi].first; r < ranges[pi].second && !p.previewBad; ++r) {
            if ((r & 63) == 0 && stop.stop_requested()) return;
            if (codeCheck && codeCheck(rr.storedRow(r), s.cols, nonFinite)) {
                p.previewBad = true;
                continue;
            }
            rr.read(r, 1, row.data());
            if (!codeCheck && firstNonFinite(row.data(), s.cols) != s.cols) p.previewBad = true;
            else rowPreview(row.data(), r, s, p, q, y);
        }
    });
    rr.release();
    if (!ok || stop.stop_requested()) return makeError(ErrorCode::Cancelled, file, {});
    PreviewSums preview;
    for (const Part& p : parts) {
        if (p.previewBad) return out;
        preview.add(p.preview);
    }
    preview.weighted = s.importance != nullptr;
    out.preview = QuantPreview{*config.previewType, preview};
    return out;
}

} // namespace

Result<TensorAnalysis> analyzeTensor(const io::Checkpoint& ck, std::size_t index, const TensorAnalysisConfig& config,
                                     std::stop_token stop)
{
    const io::TensorEntry& t = ck.tensors().at(index);
    TensorAnalysis out;
    out.name = t.name;
    out.dtype = t.dtype;
    out.shape = t.shape;
    out.layer = arch::classifyTensor(t.name).layer;
    out.stats.count = t.elements();
    auto reader = RowReader::open(ck, index);
    if (!reader) {
        out.error = std::move(reader).error();
        return out;
    }
    const RowReader& rr = *reader;
    Setup s;
    s.rows = rr.rows();
    s.cols = rr.cols();
    out.rows = s.rows;
    out.cols = s.cols;

    s.codes16 = rr.storedType() == DType::F16 || rr.storedType() == DType::BF16;
    if (!config.statistics) return previewOnly(rr, t, config, s, std::move(out), stop, ck.path().string());

    // 0. Provisional mean and std from a row sample.
    {
        const std::uint64_t want = std::clamp<std::uint64_t>(kSampleValues / s.cols, 1, kSampleRows);
        const std::uint64_t ns = std::min(s.rows, want);
        std::vector<float> row(s.cols);
        double sum = 0, sq = 0;
        std::uint64_t n = 0;
        std::vector<float> mags;
        for (std::uint64_t i = 0; i < ns; ++i) {
            rr.read(i * s.rows / ns, 1, row.data());
            // Sums in locals, in value order (a loop of their own keeps them in registers).
            double rowSum = sum, rowSq = sq;
            std::uint64_t rowN = 0;
            for (float x : row)
                if (std::isfinite(x)) {
                    rowSum += x;
                    rowSq += static_cast<double>(x) * x;
                    ++rowN;
                }
            sum = rowSum;
            sq = rowSq;
            n += rowN;
            if (!s.codes16) // (16-bit codes: the top outliers come from the counts)
                for (float x : row)
                    if (std::isfinite(x)) mags.push_back(std::fabs(x));
        }
        // The sample's 32nd largest |w|: the tensor has at least 32 values that large, so no
        // smaller value can be among its 32 largest (the first gate of the top-outlier scan).
        if (mags.size() >= kTopOutliers) {
            std::nth_element(mags.begin(), mags.begin() + (kTopOutliers - 1), mags.end(), std::greater<float>());
            s.firstGate = mags[kTopOutliers - 1];
        }
        const double m = n ? sum / static_cast<double>(n) : 0.0;
        const double v = n ? std::max(0.0, sq / static_cast<double>(n) - m * m) : 0.0;
        s.ms = static_cast<float>(m);
        const double sd = std::sqrt(v);
        double half = kHistogramStds * sd;
        if (!(half > 0) || !std::isfinite(half)) half = std::max(std::fabs(static_cast<double>(s.ms)) * 1e-3, 1e-30);
        // Weights near the float limit: a range inside the floats and narrower than FLT_MAX, so
        // (w - lo) * scale is never Inf * 0 = NaN (it may be +-Inf: over / under).
        constexpr double kFloatMax = std::numeric_limits<float>::max();
        half = std::min(half, kFloatMax / 4);
        out.histogram.lo = static_cast<float>(std::max(static_cast<double>(s.ms) - half, -kFloatMax));
        out.histogram.hi = static_cast<float>(std::min(static_cast<double>(s.ms) + half, kFloatMax));
        if (!(out.histogram.hi > out.histogram.lo)) { // a range below float resolution
            out.histogram.lo = std::nextafter(s.ms, -std::numeric_limits<float>::infinity());
            out.histogram.hi = std::nextafter(s.ms, std::numeric_limits<float>::infinity());
        }
        for (std::size_t k = 0; k < 2; ++k) {
            s.bandLo[k] = static_cast<float>(kTailStds[k] * sd) * kBandLo;
            s.bandHi[k] = static_cast<float>(kTailStds[k] * sd) * kBandHi;
        }
        s.params.ms = s.ms;
        s.params.lo = out.histogram.lo;
        s.params.scale = out.histogram.scale();
        s.params.lo3 = s.bandLo[0];
        s.params.hi3 = s.bandHi[0];
        s.params.lo6 = s.bandLo[1];
        s.params.hi6 = s.bandHi[1];
        s.kernel = detail::finiteRowKernel(config.cpuLevel);
        s.fmt = detail::code16Format(rr.storedType() == DType::BF16);
        s.codeTile = detail::code16TileKernel(config.cpuLevel);
        s.codePool = detail::code16PoolKernel(config.cpuLevel);
        s.errorKernel = detail::rowErrorKernel(config.cpuLevel);
    }
    s.cellRows = static_cast<std::uint32_t>(std::min<std::uint64_t>(s.rows, kOutlierMapMaxCells));
    s.cellCols = static_cast<std::uint32_t>(std::min<std::uint64_t>(s.cols, kOutlierMapMaxCells));
    s.cellColBegin.resize(s.cellCols + 1);
    // Column c belongs to cell c * cellCols / cols: cell j starts at ceil(j * cols / cellCols).
    for (std::uint32_t j = 0; j <= s.cellCols; ++j)
        s.cellColBegin[j] = static_cast<std::uint32_t>((static_cast<std::uint64_t>(j) * s.cols + s.cellCols - 1) / s.cellCols);

    setupPreview(t, config, s);

    // 1. The pass.
    std::atomic<float> topGate{s.firstGate};
    s.topGate = &topGate;
    const auto ranges = partition(s.rows, s.cols, s.codes16 && !s.kernels);
    std::vector<Part> parts(ranges.size());
    CountTables countTables;
    std::vector<std::uint16_t> rowMaxCode(s.codes16 ? s.rows : 0);
    s.rowMaxCode = rowMaxCode.data();
    const bool ok = jobs::parallelFor(parts.size(), stop, [&](std::size_t pi) {
        Part& p = parts[pi];
        p.r0 = ranges[pi].first;
        p.r1 = ranges[pi].second;
        p.cellRow0 = cellOf(p.r0, s.rows, s.cellRows);
        const std::uint32_t lastCell = cellOf(p.r1 - 1, s.rows, s.cellRows);
        p.cells.assign(static_cast<std::size_t>(lastCell - p.cellRow0 + 1) * s.cellCols, 0.0f);
        p.openCellRow = p.cellRow0;
        p.colSq.assign(s.cols, 0.0);
        p.colMax.assign(s.cols, 0.0f);
        p.top.reserve(kTopOutliers);
        std::vector<float> row(s.cols), y(s.kernels ? s.cols : 0);
        std::vector<std::byte> q(s.qRowBytes);
        if (s.codes16) {
            p.cellRowMaxCode.assign(s.cols, 0);
            p.colMaxCode.assign(s.cols, 0);
            p.cellCodes.assign(s.cellCols, 0);
            p.counts = countTables.acquire((p.r1 - p.r0) * s.cols);
            std::uint64_t lastCheck = p.r0;
            for (std::uint64_t r = p.r0; r < p.r1;) {
                if (r - lastCheck >= 64) {
                    if (stop.stop_requested()) break;
                    lastCheck = r;
                }
                // A tile ends at the part's end and at the end of the row's cell row.
                std::uint64_t e = std::min<std::uint64_t>(p.r1, r + detail::kTileRows);
                const std::uint32_t cell = cellOf(r, s.rows, s.cellRows);
                while (e > r + 1 && cellOf(e - 1, s.rows, s.cellRows) != cell) --e;
                tileCodes(rr, r, static_cast<int>(e - r), s, p, row, q, y);
                r = e;
            }
            countTables.release(p.counts);
            closeCellRowCodes(s, p);
            for (std::uint64_t c = 0; c < s.cols; ++c) p.colMax[c] = s.fmt.decode(p.colMaxCode[c]);
            return;
        }
        p.cellRowMax.assign(s.cols, 0.0f);
        p.slots.resize(s.cols);
        for (std::uint64_t r = p.r0; r < p.r1; ++r) {
            if ((r & 63) == 0 && stop.stop_requested()) return;
            rr.read(r, 1, row.data());
            const bool finite = firstNonFinite(row.data(), s.cols) == s.cols;
            rowRest(row.data(), r, s, p, !finite);
            if (s.kernels) {
                if (finite) rowPreview(row.data(), r, s, p, q, y);
                else p.previewBad = true;
            }
        }
        closeCellRow(s, p);
    });
    if (!ok || stop.stop_requested()) return makeError(ErrorCode::Cancelled, ck.path().string(), {});

    // Merge in part order.
    TensorStats& st = out.stats;
    double s1 = 0, s2 = 0, s3 = 0, s4 = 0;
    float mn = std::numeric_limits<float>::infinity(), mx = -std::numeric_limits<float>::infinity();
    std::array<std::uint64_t, 2> beyond{};
    std::vector<TopItem> top;
    out.columnL2.assign(s.cols, 0.0f);
    out.columnMaxAbs.assign(s.cols, 0.0f);
    std::vector<double> colSq(s.cols, 0.0);
    std::vector<float> cellMax(static_cast<std::size_t>(s.cellRows) * s.cellCols, 0.0f);
    PreviewSums preview;
    bool previewBad = false;
    for (const Part& p : parts) {
        const detail::RowSums& su = p.sums;
        st.finite += su.finite;
        st.nan += p.nan;
        st.inf += p.inf;
        st.zeros += su.zeros;
        s1 += su.s1();
        s2 += su.s2();
        s3 += su.s3();
        s4 += su.s4();
        mn = std::min(mn, su.mn);
        mx = std::max(mx, su.mx);
        const auto counts = su.slotCounts();
        out.histogram.under += counts[0];
        for (std::size_t b = 0; b < kHistogramBins; ++b) out.histogram.bins[b] += counts[b + 1];
        out.histogram.over += counts[kHistogramBins + 1];
        for (std::size_t k = 0; k < 2; ++k) beyond[k] += su.beyond[k];
        top.insert(top.end(), p.top.begin(), p.top.end());
        for (std::uint64_t c = 0; c < s.cols; ++c) {
            colSq[c] += p.colSq[c];
            out.columnMaxAbs[c] = std::max(out.columnMaxAbs[c], p.colMax[c]);
        }
        for (std::size_t i = 0; i < p.cells.size(); ++i) {
            float& m = cellMax[static_cast<std::size_t>(p.cellRow0) * s.cellCols + i];
            m = std::max(m, p.cells[i]);
        }
        preview.add(p.preview);
        previewBad = previewBad || p.previewBad;
    }
    const std::uint64_t* codeCounts = s.codes16 ? countTables.merged() : nullptr;
    if (codeCounts) {
        top = codeTop(rr, codeCounts, s);
        const CodeSums cs = codeSums(codeCounts, s);
        st.finite += cs.finite;
        st.nan += cs.nan;
        st.inf += cs.inf;
        st.zeros += cs.zeros;
        s1 += cs.s1;
        s2 += cs.s2;
        s3 += cs.s3;
        s4 += cs.s4;
        mn = std::min(mn, cs.mn);
        mx = std::max(mx, cs.mx);
        out.histogram.under += cs.slots[0];
        for (std::size_t b = 0; b < kHistogramBins; ++b) out.histogram.bins[b] += cs.slots[b + 1];
        out.histogram.over += cs.slots[kHistogramBins + 1];
    }
    for (std::uint64_t c = 0; c < s.cols; ++c) out.columnL2[c] = static_cast<float>(std::sqrt(colSq[c]));
    if (st.finite > 0) {
        const double n = static_cast<double>(st.finite);
        const double a = s1 / n;
        st.mean = static_cast<double>(s.ms) + a;
        const double m2 = std::max(0.0, s2 / n - a * a);
        const double m4 = s4 / n - 4 * a * s3 / n + 6 * a * a * s2 / n - 3 * a * a * a * a;
        st.std = std::sqrt(m2);
        st.kurtosis = m2 > 0 ? m4 / (m2 * m2) - 3.0 : 0.0;
        st.min = mn;
        st.max = mx;
        st.absMax = std::max(std::fabs(static_cast<double>(mn)), std::fabs(static_cast<double>(mx)));
        // Tail shares: exact from the bands when the true thresholds fall inside them.
        std::array<std::uint64_t, 2> tail{};
        bool needPass = false;
        if (codeCounts) tail = codeTails(codeCounts, s, st.mean, st.std); // exact
        for (std::size_t k = 0; k < 2 && !codeCounts; ++k) {
            const double ks = kTailStds[k] * st.std;
            const double up = st.mean + ks - s.ms, down = static_cast<double>(s.ms) - (st.mean - ks);
            const double lo = static_cast<double>(s.bandLo[k]) * (1 + kBandMargin), hi = static_cast<double>(s.bandHi[k]) * (1 - kBandMargin);
            if (!(up >= lo && up <= hi && down >= lo && down <= hi)) {
                needPass = true;
                continue;
            }
            tail[k] = beyond[k];
            for (const Part& p : parts)
                for (float x : p.sums.candidates[k]) tail[k] += std::fabs(static_cast<double>(x) - st.mean) > ks;
        }
        if (needPass) { // the sample's std was too far off: count in a second pass
            std::vector<std::array<std::uint64_t, 2>> counts(parts.size());
            const bool ok2 = jobs::parallelFor(parts.size(), stop, [&](std::size_t pi) {
                std::vector<float> row(s.cols);
                for (std::uint64_t r = parts[pi].r0; r < parts[pi].r1; ++r) {
                    rr.read(r, 1, row.data());
                    for (float x : row)
                        if (std::isfinite(x))
                            for (std::size_t k = 0; k < 2; ++k)
                                counts[pi][k] += std::fabs(static_cast<double>(x) - st.mean) > kTailStds[k] * st.std;
                }
            });
            if (!ok2 || stop.stop_requested()) return makeError(ErrorCode::Cancelled, ck.path().string(), {});
            tail = {};
            for (const auto& c : counts)
                for (std::size_t k = 0; k < 2; ++k) tail[k] += c[k];
        }
        st.beyond3Std = static_cast<double>(tail[0]) / n;
        st.beyond6Std = static_cast<double>(tail[1]) / n;
    }
    out.outlierMap.cellRows = s.cellRows;
    out.outlierMap.cellCols = s.cellCols;
    out.outlierMap.cells.resize(cellMax.size());
    for (std::size_t i = 0; i < cellMax.size(); ++i)
        out.outlierMap.cells[i] = st.std > 0 ? static_cast<float>(static_cast<double>(cellMax[i]) / st.std) : 0.0f;
    std::sort(top.begin(), top.end(), better);
    if (top.size() > kTopOutliers) top.resize(kTopOutliers);
    for (const TopItem& it : top) out.top.push_back(Outlier{it.flat / s.cols, it.flat % s.cols, it.v});
    if (s.kernels && !previewBad) {
        preview.weighted = s.importance != nullptr;
        out.preview = QuantPreview{*config.previewType, preview};
    }
    rr.release();
    return out;
}

} // namespace condense::analysis
