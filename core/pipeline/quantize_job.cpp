#include "core/pipeline/quantize_job.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <future>
#include <memory>
#include <optional>
#include <set>

#include "core/pipeline/gguf_convert.h"
#include "core/io/gguf_writer.h"
#include "core/io/model_writer.h"
#include "core/arch/tensor_naming.h"
#include "core/jobs/thread_arena.h"
#include "core/quant/quant_registry.h"
#include "core/quant/row_source.h"
#include "core/tensor/float_convert.h"

namespace condense::pipeline {

using namespace condense::quant; // kernels and the importance matrix

namespace fs = std::filesystem;

namespace {

// Output bytes produced per slice of rows: bounds the memory of one step and the time between
// two checks of the stop token.
constexpr std::uint64_t kSliceBytes = 4ull << 20;
// Elements per parallel task (as the row-parallel helpers of quant_registry.cpp).
constexpr std::uint64_t kTaskElements = 65536;

std::string typeName(DType t) { return std::string(dtypeName(t)); }

bool isBlockType(DType t)
{
    const DTypeTraits* tr = dtypeTraits(t);
    return tr && tr->isQuantized;
}

bool isFloatTarget(DType t) { return t == DType::F32 || t == DType::F16 || t == DType::BF16; }

std::string neText(const std::vector<std::uint64_t>& ne)
{
    std::string r = "[";
    for (std::size_t i = 0; i < ne.size(); ++i) r += (i ? ", " : "") + std::to_string(ne[i]);
    return r + "]";
}

// One tensor of the input, in output order, and where its bytes are.
struct SourceTensor {
    std::string name;
    std::vector<std::uint64_t> ne; // ggml order, as stored
    DType inputType = DType::F32;  // type "in the input" (HF: the F16 conversion's type)
    DType srcType = DType::F32;    // type of the bytes in `data`
    std::span<const std::byte> data;
    std::int64_t converted = -1;   // HF: index into Source::layout.tensors
    std::int64_t tensorIndex = -1; // Checkpoint tensor index (-1: generated)
    std::uint64_t permuteHeads = 0;
    std::uint64_t elements() const
    {
        std::uint64_t n = 1;
        for (auto d : ne) n *= d;
        return n;
    }
};

struct Source {
    std::vector<io::GgufKV> metadata;
    std::vector<SourceTensor> tensors;
    std::vector<Message> warnings;
    ConversionLayout layout; // HF input
    std::string label;           // file named in errors
    arch::ModelSpec spec;        // the input's architecture facts (what the mix rules need)
};

// withMetadata = false (checking a plan): HF input without its tokenizer and metadata.
Result<Source> openSource(const io::Checkpoint& input, bool withMetadata = true)
{
    Source s;
    s.label = input.path().string();
    s.spec = input.spec();
    if (const io::GgufFile* g = input.gguf()) {
        s.label = g->path();
        s.metadata = g->metadata();
        for (std::size_t i = 0; i < g->tensors().size(); ++i) {
            const io::GgufTensorInfo& t = g->tensors()[i];
            SourceTensor st;
            st.name = t.name;
            st.ne.assign(t.ne, t.ne + std::max<std::uint32_t>(1, t.nDims));
            st.inputType = st.srcType = t.type;
            st.data = g->tensorData(i);
            st.tensorIndex = static_cast<std::int64_t>(i);
            s.tensors.push_back(std::move(st));
        }
    } else {
        auto layout = withMetadata ? planHfConversion(input, DType::F16) : planHfTensorLayout(input, DType::F16);
        if (!layout) return std::move(layout).error();
        s.layout = std::move(*layout);
        s.metadata = s.layout.metadata;
        s.warnings = s.layout.warnings;
        for (std::size_t i = 0; i < s.layout.tensors.size(); ++i) {
            const ConvertedTensor& c = s.layout.tensors[i];
            SourceTensor st;
            st.name = c.name;
            if (c.shape.empty()) st.ne = {1};
            else st.ne.assign(c.shape.rbegin(), c.shape.rend());
            st.inputType = c.outType;
            st.srcType = c.source >= 0 ? input.tensors()[static_cast<std::size_t>(c.source)].dtype : DType::F32;
            if (c.source >= 0) st.data = input.tensorData(static_cast<std::size_t>(c.source));
            st.tensorIndex = c.source;
            st.converted = static_cast<std::int64_t>(i);
            st.permuteHeads = c.permuteHeads;
            s.tensors.push_back(std::move(st));
        }
    }
    std::stable_sort(s.tensors.begin(), s.tensors.end(),
                     [](const SourceTensor& a, const SourceTensor& b) { return plan::llamaTensorOrderLess(a.name, b.name); });
    return s;
}

// The mix plan, or the replayed plan checked against the model.
Result<plan::QuantPlan> choosePlan(const Source& src, const QuantizeConfig& config)
{
    if (config.plan) {
        const plan::QuantPlan& given = *config.plan;
        if (given.format != plan::PlanFormat::Gguf)
            return makeError(ErrorCode::UnsupportedFormat, src.label,
                             "the plan is for the " + std::string(plan::planFormatKey(given.format)) + " format; only gguf plans can be written so far");
        if (given.method == plan::PlanMethod::Gptq || given.method == plan::PlanMethod::Awq)
            return makeError(ErrorCode::UnsupportedFormat, src.label,
                             "the plan's method " + std::string(plan::planMethodKey(given.method)) + " is not implemented yet");
        const std::string label = "plan";
        std::set<std::string> modelNames;
        for (const auto& t : src.tensors) modelNames.insert(t.name);
        for (const auto& t : given.tensors)
            if (!modelNames.count(t.name))
                return makeError(ErrorCode::InvalidArgument, src.label, "the plan names tensor '" + t.name + "', which this model does not have");
        plan::QuantPlan p = given;
        p.tensors.clear();
        for (const auto& t : src.tensors) {
            const std::int64_t k = given.find(t.name);
            if (k < 0) return makeError(ErrorCode::InvalidArgument, src.label, "the plan has no entry for tensor '" + t.name + "' of this model");
            plan::TensorPlan tp = given.tensors[static_cast<std::size_t>(k)];
            if (tp.ne != t.ne)
                return makeError(ErrorCode::InvalidArgument, src.label,
                                 "tensor '" + t.name + "' has shape " + neText(t.ne) + " in this model but " + neText(tp.ne) + " in the plan");
            if (tp.group)
                return makeError(ErrorCode::UnsupportedFormat, src.label,
                                 "tensor '" + t.name + "': a bits + group size encoding cannot be written to a gguf file");
            tp.inputType = t.inputType;
            // "plan: <why>" (a version 1 text already starting so is kept as it is).
            const bool already = tp.reason.code == MessageCode::Replayed ||
                                 (tp.reason.code == MessageCode::LegacyText && tp.reason.field("text").rfind("plan: ", 0) == 0);
            if (!already) {
                Message r(MessageCode::Replayed);
                if (!tp.reason.empty()) nestMessage(r, tp.reason);
                tp.reason = std::move(r);
            }
            p.tensors.push_back(std::move(tp));
        }
        return p;
    }
    const plan::MixInfo* mix = plan::findMix(config.mix);
    if (!mix) return makeError(ErrorCode::InvalidArgument, {}, "unknown quantization type '" + config.mix + "'");
    auto facts = plan::modelFacts(src.spec, src.label);
    if (!facts) return std::move(facts).error();
    plan::MixOptions o;
    o.mix = mix;
    o.haveImatrix = config.imatrix && config.imatrix->size() > 0;
    o.overrides = config.overrides;
    o.outputTensorType = config.outputTensorType;
    o.tokenEmbeddingType = config.tokenEmbeddingType;
    o.pure = config.pure;
    o.leaveOutputTensor = config.leaveOutputTensor;
    std::vector<plan::PlanTensorInput> in;
    in.reserve(src.tensors.size());
    for (const auto& t : src.tensors) in.push_back({t.name, t.ne, t.inputType});
    auto p = plan::planMix(in, *facts, o);
    if (!p) {
        Error e = std::move(p).error();
        if (e.file.empty()) e.file = src.label;
        return e;
    }
    return p;
}

// Per tensor: what the imatrix gives it (nullptr: nothing).
struct Prepared {
    plan::QuantPlan plan;
    std::vector<const float*> importance;
    std::vector<Message> warnings;
};

// assumeImatrix (checking a plan): the importance matrix is not at hand; a type that requires
// one is accepted when the plan's method says one will be used.
Result<Prepared> prepare(const Source& src, const QuantizeConfig& config, bool assumeImatrix = false)
{
    auto p = choosePlan(src, config);
    if (!p) return std::move(p).error();
    Prepared r;
    r.plan = std::move(*p);
    r.warnings = src.warnings;
    const ImportanceMatrix* im = config.imatrix && config.imatrix->size() > 0 ? config.imatrix.get() : nullptr;
    if (im) {
        r.plan.imatrix = config.imatrixLabel.empty() ? im->path().string() : config.imatrixLabel;
        r.plan.method = plan::PlanMethod::Imatrix;
    } else if (!assumeImatrix) {
        r.plan.method = plan::PlanMethod::Rtn;
    }
    r.importance.assign(src.tensors.size(), nullptr);
    std::size_t requantized = 0;
    for (std::size_t i = 0; i < src.tensors.size(); ++i) {
        const SourceTensor& s = src.tensors[i];
        const plan::TensorPlan& t = r.plan.tensors[i];
        const auto fail = [&](ErrorCode code, const std::string& file, const std::string& what) {
            Error e = makeError(code, file, what);
            e.tensor = t.name;
            return e;
        };
        if (t.type == s.inputType) continue; // copied unchanged
        if (!canWriteType(t.type)) return fail(ErrorCode::UnsupportedType, src.label, "cannot write type " + typeName(t.type) + " (no kernels for it)");
        if (t.bytes() == 0) return fail(ErrorCode::InvalidArgument, src.label, "row length " + std::to_string(t.ne[0]) + " cannot be stored as " + typeName(t.type));
        if (isBlockType(s.srcType)) {
            if (!quantKernels(s.srcType)) return fail(ErrorCode::UnsupportedType, src.label, "cannot dequantize " + typeName(s.srcType) + " input");
            ++requantized;
        } else if (s.converted < 0 && !isFloatTarget(s.srcType) && s.srcType != DType::F64) {
            return fail(ErrorCode::UnsupportedType, src.label, "cannot convert a " + typeName(s.srcType) + " tensor to " + typeName(t.type));
        }
        if (s.permuteHeads > 0 && s.ne.size() != 2)
            return fail(ErrorCode::UnsupportedFormat, src.label, "Q/K permutation of a tensor with more than 2 dimensions");
        const std::vector<float>* v = nullptr;
        if (im) {
            v = im->find(t.name);
            const std::uint64_t want = t.ne[0] * (t.ne.size() > 2 ? t.ne[2] : 1);
            if (!v) {
                r.warnings.emplace_back(MessageCode::ImatrixMissingEntry, t.name);
            } else if (v->size() != want) {
                if (t.name != "token_embd.weight" && t.name != "per_layer_token_embd.weight")
                    return fail(ErrorCode::InvalidArgument, im->path().string(),
                                "importance matrix has " + std::to_string(v->size()) + " values for this tensor, its rows need " +
                                    std::to_string(want));
                r.warnings.push_back(Message(MessageCode::ImatrixEntryLength, t.name,
                                             {{"values", std::to_string(v->size())}, {"want", std::to_string(want)}}));
                v = nullptr;
            }
        }
        const bool imatrixComing = assumeImatrix && r.plan.method == plan::PlanMethod::Imatrix;
        const bool given = config.precomputed && config.precomputed->contains(t.name);
        if (!v && !imatrixComing && !given && plan::requiresImatrix(t.name, t.type, r.plan.fileType))
            return fail(ErrorCode::InvalidArgument, src.label,
                        typeName(t.type) + " in a " + r.plan.mix + " file requires an importance matrix (--imatrix)");
        if (isBlockType(t.type)) r.importance[i] = v ? v->data() : nullptr;
    }
    if (requantized > 0)
        r.warnings.push_back(Message(MessageCode::Requantizing, {}, {{"count", std::to_string(requantized)}}));
    if (config.precomputed) {
        for (const auto& [name, size] : config.precomputed->entries()) {
            const std::int64_t k = r.plan.find(name);
            if (k < 0) return makeError(ErrorCode::InvalidArgument, src.label, "precomputed data for tensor '" + name + "', which the plan does not have");
            const plan::TensorPlan& t = r.plan.tensors[static_cast<std::size_t>(k)];
            if (t.type == src.tensors[static_cast<std::size_t>(k)].inputType || size != t.bytes()) {
                Error e = makeError(ErrorCode::InvalidArgument, src.label,
                                    "precomputed data of " + std::to_string(size) + " bytes does not fit the planned " +
                                        typeName(t.type) + " tensor of " + std::to_string(t.bytes()) + " bytes");
                e.tensor = name;
                return e;
            }
        }
    }
    return r;
}

// Forwards everything but the writer's own per-tensor reports (we report bytes instead).
class WriterSink final : public jobs::ProgressSink {
public:
    explicit WriterSink(jobs::ProgressSink& inner) : m_inner(inner) {}
    void report(jobs::Stage stage, std::uint64_t done, std::uint64_t total, std::string_view item) override
    {
        if (stage != jobs::Stage::Writing) m_inner.report(stage, done, total, item);
    }

private:
    jobs::ProgressSink& m_inner;
};

class TensorProducer {
public:
    TensorProducer(const io::Checkpoint& input, const Source& src, const Prepared& prep, const QuantizeConfig& config,
                   jobs::ProgressSink& progress, std::stop_token stop)
        : m_input(input), m_src(src), m_prep(prep), m_precomputed(config.precomputed.get()), m_progress(progress), m_stop(std::move(stop)),
          m_total(prep.plan.totalInputBytes())
    {
    }

    Status produce(std::size_t index, io::TensorOutput& out)
    {
        const SourceTensor& s = m_src.tensors[index];
        const plan::TensorPlan& t = m_prep.plan.tensors[index];
        const std::uint64_t inBytes = plan::tensorBytes(s.inputType, s.ne);
        m_progress.report(jobs::Stage::Quantizing, m_done, m_total, t.name);
        const std::optional<std::uint64_t> given = m_precomputed ? m_precomputed->size(t.name) : std::nullopt;
        Status st = given ? writeGiven(s, t.name, *given, out, inBytes)
                    : t.type == s.inputType ? copy(s, out, inBytes)
                                            : convert(index, s, t, out, inBytes);
        if (!st) return st;
        m_progress.report(jobs::Stage::Quantizing, m_done, m_total, t.name);
        return okStatus();
    }

private:
    Error cancelled() const { return makeError(ErrorCode::Cancelled, {}, "cancelled"); }

    Status copy(const SourceTensor& s, io::TensorOutput& out, std::uint64_t inBytes)
    {
        if (s.converted >= 0) {
            CONDENSE_TRY(writeConvertedTensor(m_input, m_src.layout.tensors[static_cast<std::size_t>(s.converted)], out, m_stop));
            releaseInputPages(s.data);
            m_done += inBytes;
            return okStatus();
        }
        if (s.data.size() != inBytes) return makeError(ErrorCode::Malformed, m_src.label, "tensor data size does not match its shape and type");
        for (std::uint64_t off = 0; off < inBytes; off += kSliceBytes) {
            if (m_stop.stop_requested()) return cancelled();
            const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(kSliceBytes, inBytes - off));
            CONDENSE_TRY(out.write(s.data.subspan(static_cast<std::size_t>(off), n)));
            releaseInputPages(s.data.subspan(static_cast<std::size_t>(off), n));
            m_done += n;
            m_progress.report(jobs::Stage::Quantizing, m_done, m_total, s.name);
        }
        return okStatus();
    }

    // Precomputed bytes (QuantizeConfig::precomputed), in slices so a stop request is seen.
    Status writeGiven(const SourceTensor& s, const std::string& name, std::uint64_t size, io::TensorOutput& out, std::uint64_t inBytes)
    {
        std::vector<std::byte> slice(static_cast<std::size_t>(std::min<std::uint64_t>(kSliceBytes, size)));
        const std::uint64_t start = m_done;
        for (std::uint64_t off = 0; off < size; off += kSliceBytes) {
            if (m_stop.stop_requested()) return cancelled();
            const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(kSliceBytes, size - off));
            const std::span<std::byte> part(slice.data(), n);
            CONDENSE_TRY(m_precomputed->read(name, off, part));
            CONDENSE_TRY(out.write(part));
            m_done = start + inBytes * (off + n) / size;
            m_progress.report(jobs::Stage::Quantizing, m_done, m_total, s.name);
        }
        releaseInputPages(s.data);
        m_done = start + inBytes;
        return okStatus();
    }

    Status convert(std::size_t index, const SourceTensor& s, const plan::TensorPlan& t, io::TensorOutput& out, std::uint64_t inBytes)
    {
        const std::uint64_t ne0 = s.ne[0];
        const std::uint64_t elements = s.elements();
        if (ne0 == 0 || elements == 0) return okStatus();
        const std::uint64_t rows = elements / ne0;
        const std::uint64_t ne1 = s.ne.size() > 1 ? s.ne[1] : 1;
        const std::uint64_t ne2 = s.ne.size() > 2 ? s.ne[2] : 1;
        const ConvertedTensor* conv = s.converted >= 0 ? &m_src.layout.tensors[static_cast<std::size_t>(s.converted)] : nullptr;
        // Rows in llama.cpp order from the checkpoint; a generated tensor (rope_freqs) from its values.
        std::optional<RowSource> source;
        if (s.tensorIndex >= 0) {
            auto rs = RowSource::open(m_input, static_cast<std::size_t>(s.tensorIndex), RowOrder::LlamaCpp);
            if (!rs) return std::move(rs).error();
            if (rs->rows() != rows || rs->cols() != ne0)
                return makeError(ErrorCode::Malformed, m_src.label, "tensor data size does not match its shape and type");
            source.emplace(std::move(*rs));
        } else if (!conv || conv->generated.size() != elements) {
            return makeError(ErrorCode::Malformed, m_src.label, "tensor data size does not match its shape and type");
        }
        const auto readRow = [&](std::uint64_t r, float* f) -> Status {
            if (source) return source->read(r, 1, f);
            std::memcpy(f, conv->generated.data() + r * ne0, static_cast<std::size_t>(ne0) * sizeof(float));
            return okStatus();
        };

        const QuantKernels* quant = isBlockType(t.type) ? quantKernels(t.type) : nullptr;
        const DTypeTraits* dstTr = dtypeTraits(t.type);
        const std::uint64_t dstRowBytes = ne0 / dstTr->blockSize * dstTr->blockBytes;
        const float* importance = m_prep.importance[index];

        const std::uint64_t rowsPerTask = std::max<std::uint64_t>(1, kTaskElements / ne0);
        std::uint64_t rowsPerSlice = std::max<std::uint64_t>(rowsPerTask, kSliceBytes / std::max<std::uint64_t>(1, dstRowBytes));
        rowsPerSlice = (rowsPerSlice + rowsPerTask - 1) / rowsPerTask * rowsPerTask;
        // Two slice buffers: one is written out (on its own thread, so the disk works while the
        // next slice is quantized) while the other is filled. `pending` is declared after them, so
        // an early return waits for the write in flight before the buffers go away.
        std::vector<std::byte> bufs[2];
        for (auto& b : bufs) b.resize(static_cast<std::size_t>(std::min(rows, rowsPerSlice) * dstRowBytes));
        std::future<Status> pending;
        int slot = 0;
        const std::uint64_t noBad = ~std::uint64_t{0};
        std::atomic<std::uint64_t> firstBad{noBad};
        std::atomic<bool> failed{false};

        for (std::uint64_t r0 = 0; r0 < rows; r0 += rowsPerSlice) {
            if (m_stop.stop_requested()) return cancelled();
            const std::uint64_t n = std::min(rowsPerSlice, rows - r0);
            const std::size_t tasks = static_cast<std::size_t>((n + rowsPerTask - 1) / rowsPerTask);
            std::vector<std::byte>& buf = bufs[slot];
            const bool completed = jobs::parallelFor(tasks, m_stop, [&](std::size_t task) {
                thread_local std::vector<float> row;
                if (row.size() < ne0) row.resize(static_cast<std::size_t>(ne0));
                const std::uint64_t a = r0 + task * rowsPerTask;
                const std::uint64_t b = std::min(r0 + n, a + rowsPerTask);
                for (std::uint64_t r = a; r < b; ++r) {
                    float* f = row.data();
                    if (!readRow(r, f)) {
                        failed.store(true, std::memory_order_relaxed);
                        return;
                    }
                    const std::size_t bad = firstNonFinite(f, static_cast<std::size_t>(ne0));
                    if (bad < ne0) {
                        const std::uint64_t at = r * ne0 + bad;
                        std::uint64_t cur = firstBad.load(std::memory_order_relaxed);
                        while (at < cur && !firstBad.compare_exchange_weak(cur, at, std::memory_order_relaxed)) {}
                        continue;
                    }
                    void* dst = buf.data() + (r - r0) * dstRowBytes;
                    if (quant) {
                        const float* imp = importance ? importance + ((r / ne1) % ne2) * ne0 : nullptr;
                        quant->quantizeRow(f, dst, static_cast<std::int64_t>(ne0), imp);
                    } else {
                        convertFromF32(t.type, f, dst, static_cast<std::size_t>(ne0));
                    }
                }
            });
            if (!completed) return cancelled();
            std::vector<float> tmp;
            if (failed.load()) {
                tmp.resize(static_cast<std::size_t>(ne0));
                for (std::uint64_t r = r0; r < r0 + n; ++r) CONDENSE_TRY(readRow(r, tmp.data())); // the error, once
                return makeError(ErrorCode::Malformed, m_src.label, "cannot read the rows of tensor '" + s.name + "'");
            }
            if (const std::uint64_t bad = firstBad.load(); bad != noBad) {
                tmp.resize(static_cast<std::size_t>(ne0));
                CONDENSE_TRY(readRow(bad / ne0, tmp.data()));
                const float v = tmp[static_cast<std::size_t>(bad % ne0)];
                Error e = makeError(ErrorCode::Malformed, m_src.label,
                                    std::string("weight is ") + (v != v ? "NaN" : (v > 0 ? "+Inf" : "-Inf")) + " at element " +
                                        std::to_string(bad) + " (row " + std::to_string(bad / ne0) + ", column " +
                                        std::to_string(bad % ne0) + "); llama.cpp cannot use such a model");
                e.tensor = s.name;
                return e;
            }
            if (pending.valid()) CONDENSE_TRY(pending.get());
            pending = std::async(std::launch::async, [&out, bytes = std::span<const std::byte>(buf.data(), static_cast<std::size_t>(n * dstRowBytes))] {
                return out.write(bytes);
            });
            slot ^= 1;
            if (source) source->releaseConsumed(r0, n);
            m_done += inBytes * n / rows;
            m_progress.report(jobs::Stage::Quantizing, m_done, m_total, s.name);
        }
        if (pending.valid()) CONDENSE_TRY(pending.get());
        return okStatus();
    }

    const io::Checkpoint& m_input;
    const Source& m_src;
    const Prepared& m_prep;
    const io::SpillFile* m_precomputed;
    jobs::ProgressSink& m_progress;
    std::stop_token m_stop;
    std::uint64_t m_total;
    std::uint64_t m_done = 0;
};

std::string truncated127(const std::string& s) { return s.size() > 127 ? s.substr(0, 127) : s; }

// The writer of a plan's file format, with that format's metadata set (one place keyed by
// QuantPlan::format, where GPTQ / AWQ writers plug in). Tensors are added by the caller.
Result<std::unique_ptr<io::ModelWriter>> makeModelWriter(const Source& src, const Prepared& prep, const QuantizeConfig& config)
{
    if (prep.plan.format == plan::PlanFormat::Gguf) {
        // llama-quantize's KV order: the input's, split keys dropped, version and file type moved
        // to the end (gguf_set_val removes a key and appends it), then the imatrix keys.
        auto writer = std::make_unique<io::GgufWriter>();
        io::GgufWriter& w = *writer;
        for (const auto& kv : src.metadata) w.set(kv.key, kv.value);
        for (const char* k : {"general.quantization_version", "general.file_type"}) w.remove(k);
        w.set("general.quantization_version", io::GgufValue::u32(2));
        w.set("general.file_type", io::GgufValue::u32(prep.plan.fileType));
        for (const char* k : {"split.no", "split.count", "split.tensors.count"}) w.remove(k);
        if (config.imatrix && config.imatrix->size() > 0) {
            const ImportanceMatrix& im = *config.imatrix;
            w.remove("quantize.imatrix.file");
            w.set("quantize.imatrix.file", io::GgufValue::string(truncated127(prep.plan.imatrix)));
            if (!im.datasets().empty()) {
                w.remove("quantize.imatrix.dataset");
                w.set("quantize.imatrix.dataset", io::GgufValue::string(truncated127(im.datasets().front())));
            }
            w.remove("quantize.imatrix.entries_count");
            w.set("quantize.imatrix.entries_count", io::GgufValue::u32(static_cast<std::uint32_t>(im.size())));
            if (im.chunkCount() > 0) {
                w.remove("quantize.imatrix.chunks_count");
                w.set("quantize.imatrix.chunks_count", io::GgufValue::u32(static_cast<std::uint32_t>(im.chunkCount())));
            }
        }
        return std::unique_ptr<io::ModelWriter>(std::move(writer));
    }
    return makeError(ErrorCode::UnsupportedFormat, {}, "cannot write a '" + std::string(plan::planFormatKey(prep.plan.format)) + "' file (supported: gguf)");
}

} // namespace

bool canWriteType(DType t) noexcept
{
    switch (t) {
    case DType::F32: case DType::F16: case DType::BF16:
    case DType::Q4_0: case DType::Q4_1: case DType::Q5_0: case DType::Q5_1: case DType::Q8_0:
    case DType::Q2_K: case DType::Q3_K: case DType::Q4_K: case DType::Q5_K: case DType::Q6_K:
    case DType::IQ4_NL: case DType::IQ4_XS:
        return t == DType::F32 || t == DType::F16 || t == DType::BF16 || quantKernels(t) != nullptr;
    default: return false;
    }
}

Result<PlannedQuantization> planQuantization(const io::Checkpoint& input, const QuantizeConfig& config)
{
    auto src = openSource(input);
    if (!src) return std::move(src).error();
    auto prep = prepare(*src, config);
    if (!prep) return std::move(prep).error();
    return PlannedQuantization{std::move(prep->plan), std::move(prep->warnings)};
}

Result<std::vector<Message>> checkPlan(const io::Checkpoint& input, const plan::QuantPlan& plan)
{
    auto src = openSource(input, false);
    if (!src) return std::move(src).error();
    QuantizeConfig config;
    config.plan = plan;
    auto prep = prepare(*src, config, true);
    if (!prep) return std::move(prep).error();
    return std::move(prep->warnings);
}

Result<QuantizeReport> runQuantize(const io::Checkpoint& input, const fs::path& output, const QuantizeConfig& config,
                                   jobs::ProgressSink& progress, std::stop_token stop)
{
    if (stop.stop_requested()) return makeError(ErrorCode::Cancelled, output.string(), "cancelled");
    auto src = openSource(input);
    if (!src) return std::move(src).error();
    auto prep = prepare(*src, config);
    if (!prep) return std::move(prep).error();

    auto writer = makeModelWriter(*src, *prep, config);
    if (!writer) {
        Error e = std::move(writer).error();
        if (e.file.empty()) e.file = output.string();
        return e;
    }
    io::ModelWriter& w = **writer;
    for (const auto& t : prep->plan.tensors) {
        Status s = w.addTensor(t.name, t.type, t.ne);
        if (!s) {
            Error e = std::move(s).error();
            e.file = src->label;
            return e;
        }
    }

    io::ModelWriteOptions opts;
    opts.tensorStage = jobs::Stage::Writing;
    for (const auto& f : input.files()) opts.inputs.emplace_back(f);
    WriterSink writerSink(progress);
    TensorProducer producer(input, *src, *prep, config, progress, stop);
    jobs::ThreadArena arena(jobs::ThreadingConfig{config.threads});
    std::optional<Result<io::ModelWriteReport>> written;
    arena.execute([&] {
        written.emplace(w.write(
            output, [&](std::size_t i, io::TensorOutput& out) { return producer.produce(i, out); }, opts, writerSink, stop));
    });
    if (!*written) {
        Error e = std::move(*written).error();
        if (e.file.empty()) e.file = output.string();
        return e;
    }
    QuantizeReport report;
    report.output = (*written)->path;
    report.fileBytes = (*written)->bytes;
    report.plan = std::move(prep->plan);
    report.warnings = std::move(prep->warnings);
    return report;
}

} // namespace condense::pipeline
