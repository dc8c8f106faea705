// condense_gptq_bench: GPTQ over a whole model (model::quantizeBlockByBlock with the standard
// GptqLinearQuantizer) on a GGUF such as the synthetic TinyLlama-1.1B F16 model: wall time of
// every stage (forward of the observed runs, Hessian accumulation, GPTQ per linear kind, re-runs),
// peak memory beyond the mapped model (anonymous RSS sampled every 10 ms, and VmHWM minus the
// model's file-backed RSS), an extrapolation to all blocks and another token count, and the
// latency of a stop request in the capture and in the quantizer.
//
//   condense_gptq_bench MODEL.gguf [--chunks 8] [--ctx 512] [--threads 2] [--layers N]
//       [--bits 4] [--group 128] [--target-chunks 128] [--no-cancel] [--stream]
//
// Random token ids (BOS first) are the calibration text: timing and memory do not depend on it.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/io/checkpoint.h"
#include "core/model/block_quantizer.h"
#include "core/model/gptq_linear_quantizer.h"
#include "core/model/model.h"
#include "core/model/session.h"

using namespace condense;

namespace {

using Clock = std::chrono::steady_clock;

// kB values of /proc/self/status.
long statusKb(const char* key)
{
    std::ifstream in("/proc/self/status");
    std::string line;
    const std::string k = std::string(key) + ":";
    while (std::getline(in, line))
        if (line.rfind(k, 0) == 0) return std::strtol(line.c_str() + k.size(), nullptr, 10);
    return -1;
}

class RssSampler {
public:
    RssSampler()
        : m_thread([this] {
              while (!m_stop) {
                  const long a = statusKb("RssAnon");
                  if (a > m_peakAnon) m_peakAnon = a;
                  std::this_thread::sleep_for(std::chrono::milliseconds(10));
              }
          })
    {
    }
    ~RssSampler()
    {
        m_stop = true;
        m_thread.join();
    }
    long peakAnonKb() const { return m_peakAnon; }
    void resetPeak() { m_peakAnon = statusKb("RssAnon"); }

private:
    std::atomic<bool> m_stop{false};
    std::atomic<long> m_peakAnon{0};
    std::thread m_thread;
};

class StopAt : public jobs::ProgressSink {
public:
    jobs::Stage stage = jobs::Stage::Calibrating;
    double delay = 0;
    std::stop_source source;
    Clock::time_point requested{};
    bool armed = true;
    Clock::time_point first{};
    void report(jobs::Stage s, std::uint64_t, std::uint64_t, std::string_view) override
    {
        if (s != stage || !armed) return;
        const auto now = Clock::now();
        if (first == Clock::time_point{}) first = now;
        if (std::chrono::duration<double>(now - first).count() >= delay) {
            armed = false;
            requested = now;
            source.request_stop();
        }
    }
};

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: condense_gptq_bench MODEL.gguf [--chunks 8] [--ctx 512] [--threads 2] [--layers N] "
                             "[--bits 4] [--group 128] [--target-chunks 128] [--no-cancel]\n");
        return 2;
    }
    std::string path = argv[1];
    long chunks = 8, ctx = 512, threads = 2, layers = -1, bits = 4, group = 128, targetChunks = 128;
    bool cancel = true;
    bool stream = false; // results handed on (as a streaming exporter would) instead of kept
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&] { return i + 1 < argc ? std::strtol(argv[++i], nullptr, 10) : 0L; };
        if (a == "--chunks") chunks = next();
        else if (a == "--ctx") ctx = next();
        else if (a == "--threads") threads = next();
        else if (a == "--layers") layers = next();
        else if (a == "--bits") bits = next();
        else if (a == "--group") group = next();
        else if (a == "--target-chunks") targetChunks = next();
        else if (a == "--no-cancel") cancel = false;
        else if (a == "--stream") stream = true;
    }

    jobs::NullSink quiet;
    auto ck = io::openCheckpoint(path, quiet);
    if (!ck) {
        std::fprintf(stderr, "%s: %s\n", path.c_str(), describe(ck.error()).c_str());
        return 1;
    }
    auto m = model::loadModel(*ck);
    if (!m) {
        std::fprintf(stderr, "%s: %s\n", path.c_str(), describe(m.error()).c_str());
        return 1;
    }
    const model::ModelDims& d = (*m)->dims();
    auto session = model::Session::create(*m, {.nCtx = ctx, .maxBatch = 512, .threads = static_cast<int>(threads)});
    if (!session) return 1;

    std::mt19937 rng(42);
    std::uniform_int_distribution<std::int32_t> tok(3, static_cast<std::int32_t>(d.vocab - 1));
    std::vector<std::vector<std::int32_t>> calib(static_cast<std::size_t>(chunks));
    for (auto& c : calib) {
        c.push_back(1);
        while (static_cast<long>(c.size()) < ctx) c.push_back(tok(rng));
    }

    quant::GptqOptions o;
    o.bits = static_cast<int>(bits);
    o.groupSize = group;
    o.dampIncrement = 0.01;
    model::BlockQuantizeOptions bo;
    bo.lastLayer = layers > 0 ? layers - 1 : -1;
    const long allLayers = static_cast<long>(d.layers);
    const long runLayers = layers > 0 ? std::min(layers, allLayers) : allLayers;

    const long baseAnon = statusKb("RssAnon");
    const long baseFile = statusKb("RssFile");
    RssSampler sampler;
    model::GptqLinearQuantizer gptq(o);
    std::uint64_t streamedBytes = 0;
    if (stream)
        gptq.setResultSink([&](const model::GptqLinearReport&, model::PackedGptqLinear&& p) -> Status {
            streamedBytes += p.bytes();
            return okStatus();
        });
    const auto t0 = Clock::now();
    auto st = model::quantizeBlockByBlock(**session, calib, gptq.quantizer(), bo, quiet);
    const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
    if (!st) {
        std::fprintf(stderr, "quantize: %s\n", describe(st.error()).c_str());
        return 1;
    }
    const long peakAnon = sampler.peakAnonKb();
    const long hwm = statusKb("VmHWM");
    const long fileNow = statusKb("RssFile");
    const double mb = 1.0 / 1024;
    const auto& s = *st;
    std::printf("model %s: %lld layers, hidden %lld, ff %lld; %ld chunks x %ld tokens, %ld threads, %ld of %ld blocks\n",
                path.c_str(), static_cast<long long>(d.layers), static_cast<long long>(d.hidden), static_cast<long long>(d.ff),
                chunks, ctx, threads, runLayers, allLayers);
    std::printf("stage seconds: forward %.1f, hessian %.1f, quantize %.1f, re-run %.1f; total %.1f (wall %.1f)\n",
                s.forwardSeconds, s.hessianSeconds, s.quantizeSeconds, s.rerunSeconds, s.totalSeconds, wall);
    std::printf("quantizer thread-seconds per linear kind (sum over blocks):");
    for (int r = 0; r < model::kBlockWeightRoles; ++r)
        std::printf(" %s %.1f", model::weightRoleName(static_cast<model::WeightRole>(r)), s.roleSeconds[static_cast<std::size_t>(r)]);
    std::printf("\n");
    const double resultsMb = static_cast<double>(gptq.resultBytes()) / 1048576.0;
    if (stream) std::printf("results streamed: %.0f MB (not kept)\n", static_cast<double>(streamedBytes) / 1048576.0);
    std::printf("memory: anonymous RSS before %.0f MB, peak %.0f MB (+%.0f MB); VmHWM %.0f MB, file-backed RSS %.0f MB "
                "(before %.0f); one block's Hessians %.0f MB; results kept %.0f MB\n",
                baseAnon * mb, peakAnon * mb, (peakAnon - baseAnon) * mb, hwm * mb, fileNow * mb, baseFile * mb,
                static_cast<double>(s.peakHessianBytes) / 1048576.0, resultsMb);

    // Extrapolation: per-block times scale with blocks, forward/Hessian/re-run with tokens;
    // memory: the hidden states (chunks x tokens x hidden floats) with tokens, results with blocks.
    const double tokScale = static_cast<double>(targetChunks) / static_cast<double>(chunks);
    const double layerScale = static_cast<double>(allLayers) / static_cast<double>(runLayers);
    const double estSeconds = layerScale * ((s.forwardSeconds + s.hessianSeconds + s.rerunSeconds) * tokScale + s.quantizeSeconds);
    const double hiddenMb = static_cast<double>(chunks * ctx * d.hidden) * 4 / 1048576.0;
    const double estPeak = (peakAnon - baseAnon) * mb + hiddenMb * (tokScale - 1) + resultsMb * (layerScale - 1);
    std::printf("extrapolated to %ld x %ld tokens, %ld blocks: %.0f s (%.1f h); peak anonymous memory %.0f MB "
                "(hidden states %.0f MB -> %.0f MB, results %.0f MB -> %.0f MB)\n",
                targetChunks, ctx, allLayers, estSeconds, estSeconds / 3600, estPeak, hiddenMb, hiddenMb * tokScale, resultsMb,
                resultsMb * layerScale);

    if (cancel) {
        for (jobs::Stage when : {jobs::Stage::Calibrating, jobs::Stage::Quantizing}) {
            StopAt stopper;
            stopper.stage = when;
            stopper.delay = when == jobs::Stage::Calibrating ? 1.0 : 0.0;
            model::GptqLinearQuantizer g(o);
            auto r = model::quantizeBlockByBlock(**session, calib, g.quantizer(), bo, stopper, stopper.source.get_token());
            const double latency = std::chrono::duration<double>(Clock::now() - stopper.requested).count();
            std::printf("stop in the %s: %s after %.3f s\n", when == jobs::Stage::Calibrating ? "capture" : "quantizer",
                        r.ok() ? "NOT cancelled" : describe(r.error()).c_str(), latency);
        }
    }
    return 0;
}
