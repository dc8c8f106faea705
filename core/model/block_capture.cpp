#include "core/model/block_capture.h"

#include <algorithm>
#include <string>

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
    // The original model's hidden states (paired mode), embedded before afterOriginalEmbed.
    std::vector<std::vector<float>> original(paired ? chunks.size() : 0);
    for (std::size_t c = 0; c < original.size(); ++c) {
        original[c].resize(chunks[c].size() * static_cast<std::size_t>(d.hidden));
        CONDENSE_TRY(session.embed(chunks[c], original[c]));
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
                    CONDENSE_TRY(session.runBlock(l, original[c], n, 0, stop));
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
                CONDENSE_TRY(session.head(original[c], n, logits, LogitsMode::All));
                session.setObserver(&observer);
            }
            CONDENSE_TRY(session.head(hidden[c], n, logits, LogitsMode::All));
            progress.report(jobs::Stage::Evaluating, ++done, total, "output");
        }
        session.setObserver(nullptr);
        if (options.afterBlock) CONDENSE_TRY(options.afterBlock(-1, session));
    }
    progress.report(jobs::Stage::Evaluating, total, total);
    return okStatus();
}

} // namespace condense::model
