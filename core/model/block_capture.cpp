#include "core/model/block_capture.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "core/tensor/float_convert.h"

namespace condense::model {

namespace {

// Restores the session's observer and forgets its positions whatever way the capture ends.
class ObserverGuard {
public:
    explicit ObserverGuard(Session& s) : m_session(s), m_saved(s.observer()) {}
    ~ObserverGuard()
    {
        m_session.setObserver(m_saved);
        m_session.reset();
    }
    ObserverGuard(const ObserverGuard&) = delete;
    ObserverGuard& operator=(const ObserverGuard&) = delete;

private:
    Session& m_session;
    ActivationObserver* m_saved;
};

Error cancelled() { return makeError(ErrorCode::Cancelled, {}, "activation capture stopped"); }

// One chunk of the original model's hidden states (paired mode), kept as F16: the reference
// stream needs no more (its rounding, 2^-11 relative, is far below the drift of the quantized
// stream it is compared with), and the second stream takes half the memory (256 MiB instead of
// 512 at 128 x 512 tokens of a 2048-wide model). A chunk with a value outside F16's range, or
// not finite, stays F32.
class HalfStates {
public:
    void store(const std::vector<float>& x)
    {
        const bool fits = std::all_of(x.begin(), x.end(), [](float v) { return std::abs(v) <= kHalfMax; });
        if (fits) {
            m_half.resize(x.size());
            convertFromF32(DType::F16, x.data(), m_half.data(), x.size());
            std::vector<float>().swap(m_full);
        } else {
            m_full = x;
            std::vector<std::uint16_t>().swap(m_half);
        }
    }
    void load(std::vector<float>& x) const
    {
        if (!m_full.empty()) {
            x = m_full;
            return;
        }
        x.resize(m_half.size());
        convertToF32(DType::F16, m_half.data(), x.data(), m_half.size());
    }

private:
    static constexpr float kHalfMax = 65504.0f;
    std::vector<std::uint16_t> m_half;
    std::vector<float> m_full;
};

} // namespace

Status captureBlockByBlock(Session& session, std::span<const std::vector<std::int32_t>> chunks,
                           ActivationObserver& observer, const CaptureOptions& options, jobs::ProgressSink& sink,
                           std::stop_token stop)
{
    const ModelDims& d = session.model().dims();
    const std::int64_t layers = static_cast<std::int64_t>(session.model().layers().size());
    const auto nChunks = static_cast<std::int64_t>(chunks.size());
    for (std::size_t c = 0; c < chunks.size(); ++c) {
        const auto n = static_cast<std::int64_t>(chunks[c].size());
        if (n == 0) return makeError(ErrorCode::InvalidArgument, {}, "calibration chunk " + std::to_string(c) + " is empty");
        if (n > session.contextSize())
            return makeError(ErrorCode::InvalidArgument, {},
                             "calibration chunk " + std::to_string(c) + " has " + std::to_string(n) +
                                 " tokens, more than the session's context of " + std::to_string(session.contextSize()));
    }

    ObserverGuard guard(session);
    session.setObserver(nullptr);
    jobs::WeightedProgress progress(sink, {{jobs::Stage::Evaluating, 1.0}});
    const bool sequential = options.mode == CaptureMode::Sequential;
    const std::int64_t stages = sequential ? std::max(1, options.stages) : 1;
    const std::uint64_t total = static_cast<std::uint64_t>(nChunks) *
                                static_cast<std::uint64_t>(layers * (sequential ? stages + 1 : 1) + (options.includeOutput ? 1 : 0));
    std::uint64_t done = 0;
    progress.report(jobs::Stage::Evaluating, 0, total, "blk.0");

    const bool paired = sequential && options.originalObserver != nullptr;
    if (options.originalObserver && (!sequential || stages != 1))
        return makeError(ErrorCode::InvalidArgument, {}, "paired original inputs need sequential mode with one stage");
    // The original model's hidden states (paired mode), embedded before afterOriginalEmbed; a
    // chunk at a time goes through `scratch` in F32.
    std::vector<HalfStates> original(paired ? chunks.size() : 0);
    std::vector<float> scratch;
    for (std::size_t c = 0; c < original.size(); ++c) {
        scratch.resize(chunks[c].size() * static_cast<std::size_t>(d.hidden));
        CONDENSE_TRY(session.embed(chunks[c], scratch));
        original[c].store(scratch);
    }
    if (paired && options.afterOriginalEmbed) CONDENSE_TRY(options.afterOriginalEmbed(session));
    // The hidden states of every chunk: the input of the next block.
    std::vector<std::vector<float>> hidden(chunks.size());
    for (std::size_t c = 0; c < chunks.size(); ++c) {
        hidden[c].resize(chunks[c].size() * static_cast<std::size_t>(d.hidden));
        CONDENSE_TRY(session.embed(chunks[c], hidden[c]));
    }
    // Sequential mode runs each block twice from the same inputs: the observed run works on a
    // copy of one chunk at a time (its outputs are not used), so the inputs stay for the re-run.
    std::vector<float> observed;

    for (std::int64_t l = 0; l < layers; ++l) {
        const std::string item = "blk." + std::to_string(l);
        for (std::int64_t stage = 0; stage < stages; ++stage) {
            session.setObserver(&observer);
            for (std::size_t c = 0; c < chunks.size(); ++c) {
                if (stop.stop_requested()) return cancelled();
                const auto n = static_cast<std::int64_t>(chunks[c].size());
                if (paired) {
                    session.setObserver(options.originalObserver);
                    original[c].load(scratch);
                    CONDENSE_TRY(session.runBlock(l, scratch, n, 0, stop));
                    original[c].store(scratch);
                    session.setObserver(&observer);
                }
                std::vector<float>* rows = &hidden[c];
                if (sequential) {
                    observed.assign(hidden[c].begin(), hidden[c].end());
                    rows = &observed;
                }
                CONDENSE_TRY(session.runBlock(l, *rows, n, 0, stop));
                progress.report(jobs::Stage::Evaluating, ++done, total, item);
            }
            session.setObserver(nullptr);
            if (stage + 1 < stages && options.afterStage)
                CONDENSE_TRY(options.afterStage(l, static_cast<int>(stage), session));
        }
        if (options.afterBlock) CONDENSE_TRY(options.afterBlock(l, session));
        if (!sequential) continue;
        // The block again, with the weights afterBlock installed: its outputs feed block l + 1.
        for (std::size_t c = 0; c < chunks.size(); ++c) {
            if (stop.stop_requested()) return cancelled();
            CONDENSE_TRY(session.runBlock(l, hidden[c], static_cast<std::int64_t>(chunks[c].size()), 0, stop));
            progress.report(jobs::Stage::Evaluating, ++done, total, item);
        }
    }
    observed = {};
    if (!options.includeOutput) original = {};

    if (options.includeOutput) {
        session.setObserver(&observer);
        std::vector<float> logits;
        for (std::size_t c = 0; c < chunks.size(); ++c) {
            if (stop.stop_requested()) return cancelled();
            const auto n = static_cast<std::int64_t>(chunks[c].size());
            logits.resize(session.logitsSize(n, LogitsMode::All));
            if (paired) {
                session.setObserver(options.originalObserver);
                original[c].load(scratch);
                CONDENSE_TRY(session.head(scratch, n, logits, LogitsMode::All));
                session.setObserver(&observer);
            }
            CONDENSE_TRY(session.head(hidden[c], n, logits, LogitsMode::All));
            progress.report(jobs::Stage::Evaluating, ++done, total, "output");
        }
        session.setObserver(nullptr);
        // Nothing runs after the head: the streams go before its quantizer step (which holds
        // the output matrix several times over).
        logits = {};
        original = {};
        hidden = {};
        scratch = {};
        if (options.afterBlock) CONDENSE_TRY(options.afterBlock(-1, session));
    }
    progress.report(jobs::Stage::Evaluating, total, total);
    return okStatus();
}

} // namespace condense::model
