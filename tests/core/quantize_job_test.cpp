// The streaming quantizer (core/quant/quantize_job.h) and imatrix files (core/quant/imatrix.h)
// against llama-quantize: byte identity of whole output files, cancellation, NaN/Inf refusal,
// imatrix errors, plan replay, progress.
//
// Ground truth: the llama-quantize files in ../shared/models/tiny-llama-spm/reference-gguf, and
// the SHA-256 of llama-quantize outputs made by hand (llama.cpp 34af94cd, commands in
// quant_plan_test.cpp; "requant-A-to-B": llama-quantize --allow-requantize tiny-llama-spm-A.gguf
// OUT B 2). Cases whose name ends in -imat used --imatrix tiny-llama-spm-imatrix.gguf, run from
// the reference-gguf folder, so quantize.imatrix.file holds that relative name.
#include <gtest/gtest.h>

#include <atomic>
#include <cctype>
#include <functional>
#include <set>
#include <cstring>
#include <fstream>
#include <random>
#include <stop_token>
#include <thread>

#include "app/message_text.h"
#include "core/io/gguf_file.h"
#include "core/io/gguf_writer.h"
#include "core/plan/quant_plan.h"
#include "core/quant/imatrix.h"
#include "core/pipeline/quantize_job.h"
#include "tests/core/llama_quantize_cases.h"
#include "tests/support/sha256.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_models.h"
#include "tests/support/test_paths.h"

namespace condense::test {
namespace {

namespace fs = std::filesystem;

struct Digest {
    const char* file;
    const char* sha256;
};

// sha256sum of llama-quantize's outputs.
// clang-format off
constexpr Digest kLlamaQuantizeDigests[] = {
    {"odd80-tef16-IQ4_XS", "28de55f6470f55af434181d06e0e01ab2211b414031fc9eb2b5ba39b62675361"},
    {"odd80-tef16-Q2_K", "35c067737b7029d0132bafdc48a0fb9ad6db5119963c131e29fdc40c2406a56c"},
    {"odd80-tef16-Q3_K_M", "4b089726aa5a49ae13daf9428a6dab684f238c1f4b084c7777fb9ee6f656682b"},
    {"odd80-tef16-Q4_K_M", "1fd9017b2ce53d28ba367d49bcd0e3c195e3f344a9721f188dcbb31151e6c813"},
    {"odd80-tef16-Q5_K_S", "143d05eefa77a3d778e777c8399abaeefc2e704f8c165c315c2adc0193eeb953"},
    {"odd80-tef16-Q6_K", "23ac2ccca20e9c5d65e0c0c12f2778c279904e7711b044cd7145de308bb4ccc1"},
    {"odd96-IQ4_NL", "7564c6133b47df4c4949349018386ec3bdbef80eea0f9408cf5572466fc5f11d"},
    {"odd96-IQ4_XS", "ab3c1a8473e28ffbded77485c7e68331c3fd199c466efb62fb06608819e1bf0a"},
    {"odd96-Q2_K", "6aba776db938ede78be4d459573cd96e17d13c27945caa77ea2b1199d54bf482"},
    {"odd96-Q3_K_L", "f0fc0351e3b042fadf460f10946772b017898bbadcb08a579397730c903b1433"},
    {"odd96-Q3_K_M", "0228715cb5e75a2a782af5c45843f56cc5263707f630bec18d62b36923299f81"},
    {"odd96-Q3_K_S", "dff6b95d12fca5c58bea7dc5497c1c13c47459428aea9e2bffb3c717dad75af6"},
    {"odd96-Q4_0", "136262b578e1b224086a0b46fa318b07953c550098e44bc27ed263b1411e4951"},
    {"odd96-Q4_1", "0bda375701f437f1f989e03cd325fca115721a26a2a76930b34777ec8e556b36"},
    {"odd96-Q4_K_M", "5a27e82cd74b1d43d4e5ac634b7814ddfdbcadf757c9ea3aff7f0f06b82efa5e"},
    {"odd96-Q4_K_S", "a14110b917723077b03e51cd25123c9f8b430cb8fa7cf901d0e941f9244330de"},
    {"odd96-Q5_0", "25ed3a018081d5841fd819e150903f1c3db8405388e7bbddfaff7c6c3a680917"},
    {"odd96-Q5_1", "1d9f345058109abffd0970f7637d46ff9d5e04ea126f9a8ca17be769c88bf675"},
    {"odd96-Q5_K_M", "3abc8f03d52c4f2126d7c798ced4f8e8a60d8fc254d7e90dfc243cfa931f5f94"},
    {"odd96-Q5_K_S", "6d7a36604a16461014ef24ac5c458d7fb71cb764305b37e24d42567007d41869"},
    {"odd96-Q6_K", "976a16de441398b87f0ea7578014a1a575818a0c1875c274acdb7104e71af4d3"},
    {"odd96-Q8_0", "9694803cfa2b8b9849b2f9649315541e61a03fa55f127b9438d2152b07e056fb"},
    {"qwen-IQ4_XS", "7cf60f03fc8d2980e098ae28b35bbb64a99ce3f65077bfd98ee0e55a01654af4"},
    {"qwen-Q2_K", "75cf61d9b1527294bf1385e3b7c2054815cab6654d9e4827172a7ffd7e4104de"},
    {"qwen-Q3_K_M", "ab96423d3b3aa47dc074b80a671f846be7e52e57d821a222f33e0a32831bf7dd"},
    {"qwen-Q4_0", "c4a4b69b5870598734ab3a88b312e39b4862d41a0ff62ceddcb656262822cd78"},
    {"qwen-Q4_K_M", "8fbc9b669007759f8f4829f60d1c0b91ef41050764f1a483d7bbacce9fc9581a"},
    {"tiny-BF16-imat", "9e68ffc0fff6dcac66124f1c59bfd19768d2921064d255db6d18db46aecddde0"},
    {"tiny-BF16", "9928ff0cc80f6f175ce941686521759fb2542fa73a0595fb347f61f22e30d3b1"},
    {"tiny-F16-imat", "830ee0e20fd5007a5be4d57a939e11b3953c8ae084452aa2c4030e2c5883d697"},
    {"tiny-F16", "c21d6635d5e1b913e82885df6f9ca92180a4b1d2a4e0ec5cb41fc8fd4fdf35f3"},
    {"tiny-F32-imat", "7a279a700e69ed0095db143b6e367ad114fc38a480b3acf1af1785cbcda89707"},
    {"tiny-F32", "6a7e779ba3acf4fa38ed9843cb2f0cc561506e655956130fe67777892d9edc8b"},
    {"tiny-IQ4_NL-imat", "8b6249da3f22fe5014b1c73a7798a0234be63e611b313b41d6719319cc14fa69"},
    {"tiny-IQ4_NL", "7c2b01f1db6e7abca9af3c6857ae09ac4fa8828fb39a1ae11afb8905928e906e"},
    {"tiny-IQ4_XS-imat", "0bf101b0a1d168de686bad9bdad01ca0e7a3c23fe7990e6bee5e806522fccd76"},
    {"tiny-IQ4_XS", "c9df092bb36c373c05e4a10af0ae61f5657281e792fcbbf9c7eb46f730d6fd9c"},
    {"tiny-Q2_K-imat", "c0b59bf7813cfc8626ca5d6ce09415582dcd2548f6c51de2bf63eb561c65b21f"},
    {"tiny-Q2_K", "4831aad43cd16a2fddd5ddca544a3d7e2da6f80583a71db1f5bd49c5db2ac2d9"},
    {"tiny-Q2_K_S-imat", "a7fb271f769fa8dd9188d0a13f5ac9631f3f7ce1a510c840ef808ed3e5ab8250"},
    {"tiny-Q3_K_L-imat", "eac12681cb5aabeeb3537730e665c37c293af62f6f067bc91aeac8d91ee537fa"},
    {"tiny-Q3_K_L", "98e881b710f7eb9861c1f0012b9a01a09cb15c268c7098cd3b1d60856755cfcf"},
    {"tiny-Q3_K_M-imat", "16699bb703faa2324a519bf7dc569ee10104fc999f000e9e915b44fa7b7859d1"},
    {"tiny-Q3_K_M", "ca737d4010d6dc778e15d69cb80a75e23e49c681e1713245328e01cad54f2969"},
    {"tiny-Q3_K_S-imat", "a959c4c8775eba81b746f0e6121e65b25eb51d103daa0db5f17e34fdced5e513"},
    {"tiny-Q3_K_S", "f9510936e72d1edeb01612170c30eaccc5d170a5d32d8115be85c419846da0f0"},
    {"tiny-Q4_0-imat", "349cf34cae42f8beb044de9ab2f4f4abb6aa8ff40837fd34a5ef613185654041"},
    {"tiny-Q4_0", "e86dda6007fe4c339891c9a33d4c08aa32129dc3830e5889c92a8cecb111b537"},
    {"tiny-Q4_1-imat", "84e3f66ec4a0e736aac279cd4ce91311913ea94194b38123f604feccef568292"},
    {"tiny-Q4_1", "95d0e40cc2d51f58b25a5ce7e3e507e7ff6af8f175ae9f857721c17925236eef"},
    {"tiny-Q4_K_M-imat", "86b2b3410e42114f20a268a058ca40b31e162b6a790d3353705753f987fdcf8b"},
    {"tiny-Q4_K_M", "8c7cff79028e5da8a223cf55ec2555afc827964bdfb38265fcb5baa28dfa9541"},
    {"tiny-Q4_K_S-imat", "5e19581ebf0c28facc668d12203588d0c52afb5df5660b22b809cfeb040fd84a"},
    {"tiny-Q4_K_S", "02849218a7ff1d097b477675757c83cf34883ac2e2edd3134bf3b546fa5ba27b"},
    {"tiny-Q5_0-imat", "ce0ce0e86e33516df4032f7089161b8b1fbd3554f1d5624bfe20a0a08964dbac"},
    {"tiny-Q5_0", "a3c6a08a0ae337dc3ac11b8bc1e633b0e4af680d00ed94ea0fb0b056144901ee"},
    {"tiny-Q5_1-imat", "39f343a40fa44a1f3f14d3a8df29253fa0b0d6ebea94d21a01645b44478b6906"},
    {"tiny-Q5_1", "d8f361a81d01f896f40d6726a59fe8e083b106d8a73c3322adbc42dce6bc4e77"},
    {"tiny-Q5_K_M-imat", "a3ed2f4f56ca3a6bcbdfd90891ab07a42089c96a6b10212f9ffc2dcf8357486d"},
    {"tiny-Q5_K_M", "db8c4e5bc4bf8af700eb557f950d875b525ae2b233392a0a5989d88d7480645b"},
    {"tiny-Q5_K_S-imat", "c8f1d8de2257acf0591db31e60cd0b2f2c72db186f8459c073646a8761ead046"},
    {"tiny-Q5_K_S", "6db0d059bbe87954286010ffb53cc0b1aeb5fdb64fac172930648edc28650340"},
    {"tiny-Q6_K-imat", "ec2b5a25e7ec11989dafffe805c38235ce2513344bf9a3aa79482505605dc6f1"},
    {"tiny-Q6_K", "9243ee2d3c47cbbb8711e4a1db5569d68eb332e1fc9643413f0dbde7cb56e38b"},
    {"tiny-Q8_0-imat", "c599796a6a8efe9ae7cc45c046e820188ce14f271ec4045dea1fe5549cec83de"},
    {"tiny-Q8_0", "0fa537a9434d3ff272092ccce97680c6ffb25fbec714de526620372cd9ebced7"},
    {"tiny-leave", "22d2efbb93222309c231cb217c81960613c901128be8866d058f7cc4ccf96fc5"},
    {"tiny-ovr1", "96c186b03ce910b6cb0b7ff56db17930254f7f1609da7429c6d71361cc8ebd83"},
    {"tiny-ovr2", "e1c44731ea5d2735b6fa72e8e770f323711ea0d6e475e99b2a16a653c29aacd0"},
    {"tiny-ovr3", "0beb3850cec0e94118d6fde7e987ea20f005942b2532ee4faace685e0283a196"},
    {"tiny-ovr4", "c21d6635d5e1b913e82885df6f9ca92180a4b1d2a4e0ec5cb41fc8fd4fdf35f3"},
    {"tiny-pure", "b35d4ee0e019ddfe071363342b7fc79d46a5101f0346ea5ca8f3b3c407e19e97"},
    {"requant-Q8_0-to-Q4_K_M", "a53ce4b195c248f75203351e817378ec78663693aafb51466d446cf2d5e932a8"},
    {"requant-Q4_K_M-to-Q8_0", "c940f0cb4cdc6c930e20c7b41189ab94d38820a8ddc593e36d98098fbc9db709"},
};
// clang-format on

fs::path refDir() { return tinyLlamaDir() / "reference-gguf"; }

Result<pipeline::QuantizeReport> quantize(const fs::path& model, const fs::path& out, const pipeline::QuantizeConfig& cfg,
                                       jobs::ProgressSink& sink, std::stop_token stop = {})
{
    auto ck = io::openCheckpoint(model, sink);
    if (!ck) return std::move(ck).error();
    return pipeline::runQuantize(**ck, out, cfg, sink, stop);
}

Result<pipeline::QuantizeReport> quantize(const fs::path& model, const fs::path& out, const pipeline::QuantizeConfig& cfg)
{
    jobs::NullSink sink;
    return quantize(model, out, cfg, sink);
}

pipeline::QuantizeConfig mixConfig(const char* mix, int threads = 0)
{
    pipeline::QuantizeConfig c;
    c.mix = mix;
    c.threads = threads;
    return c;
}

// Names the first tensor whose bytes differ ("" when all match).
std::string firstDifferentTensor(const fs::path& a, const fs::path& b)
{
    auto ga = io::GgufFile::open(a);
    auto gb = io::GgufFile::open(b);
    if (!ga || !gb) return "<unreadable>";
    if ((*ga)->tensors().size() != (*gb)->tensors().size()) return "<tensor count>";
    for (std::size_t i = 0; i < (*ga)->tensors().size(); ++i) {
        const auto& ta = (*ga)->tensors()[i];
        const auto& tb = (*gb)->tensors()[i];
        if (ta.name != tb.name || ta.type != tb.type) return ta.name + " (name/type)";
        const auto da = (*ga)->tensorData(i);
        const auto db = (*gb)->tensorData(i);
        if (da.size() != db.size() || std::memcmp(da.data(), db.data(), da.size()) != 0) return ta.name;
    }
    return "";
}

TEST(QuantizeJob, AcceptanceQ8_0Q4_0Q4_K_MAreLlamaQuantizesFiles)
{
    TempDir dir;
    for (const char* mix : {"Q8_0", "Q4_0", "Q4_K_M"}) {
        SCOPED_TRACE(mix);
        const fs::path out = dir / (std::string(mix) + ".gguf");
        auto r = quantize(referenceGguf("F16"), out, mixConfig(mix));
        ASSERT_TRUE(r.ok()) << describe(r.error());
        EXPECT_EQ(firstDifferentTensor(out, referenceGguf(mix)), ""); // tensor by tensor
        EXPECT_TRUE(readFile(out) == readFile(referenceGguf(mix)));   // and the whole file
        EXPECT_EQ(r->fileBytes, fs::file_size(referenceGguf(mix)));
    }
}

TEST(QuantizeJob, ImatrixQ4_K_MIsLlamaQuantizesFile)
{
    TempDir dir;
    pipeline::QuantizeConfig cfg = mixConfig("Q4_K_M");
    cfg.imatrix = tinyImatrix();
    cfg.imatrixLabel = "tiny-llama-spm-imatrix.gguf";
    auto r = quantize(referenceGguf("F16"), dir / "imat.gguf", cfg);
    ASSERT_TRUE(r.ok()) << describe(r.error());
    EXPECT_EQ(firstDifferentTensor(dir / "imat.gguf", referenceGguf("Q4_K_M-imat")), "");
    EXPECT_TRUE(readFile(dir / "imat.gguf") == readFile(referenceGguf("Q4_K_M-imat")));
    // llama-quantize: "did not find weights" for the two tensors the imatrix lacks.
    ASSERT_EQ(r->warnings.size(), 2u);
    EXPECT_NE(cli::messageText(r->warnings[0]).find("output.weight"), std::string::npos);
    EXPECT_NE(cli::messageText(r->warnings[1]).find("token_embd.weight"), std::string::npos);
}

class LlamaQuantizeCase : public ::testing::TestWithParam<Digest> {};

TEST_P(LlamaQuantizeCase, IsByteIdentical)
{
    const Digest& d = GetParam();
    const std::string file = d.file;
    fs::path model;
    pipeline::QuantizeConfig cfg;
    if (file.rfind("requant-", 0) == 0) {
        const auto to = file.find("-to-");
        model = referenceGguf(file.substr(8, to - 8).c_str());
        cfg.mix = file.substr(to + 4);
    } else {
        ASSERT_TRUE(configure(file, model, cfg, /*qwenFromHf=*/false));
    }
    ASSERT_FALSE(model.empty());
    // The bytes do not depend on the thread count.
    cfg.threads = 1 + static_cast<int>(std::hash<std::string>{}(file) % 2);
    TempDir dir;
    const fs::path out = dir / (file + ".gguf");
    auto r = quantize(model, out, cfg);
    ASSERT_TRUE(r.ok()) << describe(r.error());
    EXPECT_EQ(sha256File(out), d.sha256);
}

INSTANTIATE_TEST_SUITE_P(All, LlamaQuantizeCase, ::testing::ValuesIn(kLlamaQuantizeDigests),
                         [](const ::testing::TestParamInfo<Digest>& p) {
                             std::string n = p.param.file;
                             for (char& c : n)
                                 if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                             return n;
                         });

TEST(QuantizeJob, HuggingFaceFolderDirectlyEqualsTheF16Path)
{
    TempDir dir;
    // tiny-llama-spm (F16 safetensors): our F16 conversion is llama.cpp's file, so the direct
    // quantization is llama-quantize's output of it, whole file.
    auto r = quantize(tinyLlamaDir(), dir / "hf.gguf", mixConfig("Q4_K_M", 2));
    ASSERT_TRUE(r.ok()) << describe(r.error());
    EXPECT_EQ(firstDifferentTensor(dir / "hf.gguf", referenceGguf("Q4_K_M")), "");
    EXPECT_TRUE(readFile(dir / "hf.gguf") == readFile(referenceGguf("Q4_K_M")));

    // small-qwen2-bpe (sharded BF16): llama-quantize of our F16 conversion of it, Q8_0
    // (qwen-Q8_0 above; llama-quantize of our BF16 conversion gave the same digest).
    auto q = quantize(qwen2Dir(), dir / "qwen.gguf", mixConfig("Q8_0", 2));
    ASSERT_TRUE(q.ok()) << describe(q.error());
    EXPECT_EQ(sha256File(dir / "qwen.gguf"), "fa142c22aa54f140143e0cfed97f3b110c0b044b72b2de97c0c081fb8fcbf912");
}

// Requests a stop at the n-th report of `stage`.
class StopAt final : public jobs::ProgressSink {
public:
    StopAt(jobs::Stage stage, int n, std::stop_source& src) : m_stage(stage), m_n(n), m_src(src) {}
    void report(jobs::Stage stage, std::uint64_t, std::uint64_t, std::string_view) override
    {
        if (stage == m_stage && m_seen++ == m_n) m_src.request_stop();
    }
    int seen() const { return m_seen; }

private:
    jobs::Stage m_stage;
    int m_n;
    std::stop_source& m_src;
    int m_seen = 0;
};

TEST(QuantizeJob, CancelAtAnyPointLeavesNoFile)
{
    jobs::NullSink null;
    auto ck = io::openCheckpoint(referenceGguf("F16"), null);
    ASSERT_TRUE(ck.ok());
    // How many Quantizing reports a full run makes.
    int total = 0;
    {
        TempDir dir;
        std::stop_source never;
        StopAt counter(jobs::Stage::Quantizing, -1, never);
        ASSERT_TRUE(pipeline::runQuantize(**ck, dir / "o.gguf", mixConfig("Q4_K_M"), counter).ok());
        total = counter.seen();
    }
    ASSERT_GT(total, 100);
    for (int at : {0, 1, 2, 7, total / 3, total / 2, total - 2, total - 1}) {
        SCOPED_TRACE(at);
        TempDir dir;
        std::stop_source src;
        StopAt sink(jobs::Stage::Quantizing, at, src);
        auto r = pipeline::runQuantize(**ck, dir / "o.gguf", mixConfig("Q4_K_M", 2), sink, src.get_token());
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code, ErrorCode::Cancelled);
        EXPECT_TRUE(dir.entries().empty());
    }
    for (int at : {0, 1}) { // while the written file is re-validated
        TempDir dir;
        std::stop_source src;
        StopAt sink(jobs::Stage::Validating, at, src);
        auto r = pipeline::runQuantize(**ck, dir / "o.gguf", mixConfig("Q8_0", 1), sink, src.get_token());
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code, ErrorCode::Cancelled);
        EXPECT_TRUE(dir.entries().empty());
    }
    {   // from another thread, while rows are being quantized
        TempDir dir;
        std::stop_source src;
        std::atomic<bool> started{false};
        struct Flag final : jobs::ProgressSink {
            std::atomic<bool>& started;
            explicit Flag(std::atomic<bool>& s) : started(s) {}
            void report(jobs::Stage s, std::uint64_t done, std::uint64_t, std::string_view) override
            {
                if (s == jobs::Stage::Quantizing && done > 0) started = true;
            }
        } flag(started);
        std::thread canceller([&] {
            while (!started) std::this_thread::yield();
            src.request_stop();
        });
        auto r = pipeline::runQuantize(**ck, dir / "o.gguf", mixConfig("Q6_K", 2), flag, src.get_token());
        canceller.join();
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code, ErrorCode::Cancelled);
        EXPECT_TRUE(dir.entries().empty());
    }
}

TEST(QuantizeJob, ProgressCountsInputBytesPerTensor)
{
    struct Record final : jobs::ProgressSink {
        std::vector<std::tuple<jobs::Stage, std::uint64_t, std::uint64_t, std::string>> r;
        void report(jobs::Stage s, std::uint64_t d, std::uint64_t t, std::string_view item) override { r.emplace_back(s, d, t, item); }
    } rec;
    TempDir dir;
    auto res = quantize(referenceGguf("F16"), dir / "o.gguf", mixConfig("Q4_K_M", 2), rec);
    ASSERT_TRUE(res.ok());
    std::uint64_t last = 0, total = 0;
    std::set<std::string> names;
    for (const auto& [s, d, t, item] : rec.r) {
        if (s != jobs::Stage::Quantizing) continue;
        EXPECT_GE(d, last);
        last = d;
        total = t;
        names.insert(item);
    }
    EXPECT_EQ(total, res->plan.totalInputBytes());
    EXPECT_EQ(last, total);
    EXPECT_EQ(names.size(), 57u);
    // The reference F16 file's tensor bytes are the input bytes.
    auto g = io::GgufFile::open(referenceGguf("F16"));
    ASSERT_TRUE(g.ok());
    std::uint64_t sum = 0;
    for (const auto& t : (*g)->tensors()) sum += t.bytes;
    EXPECT_EQ(total, sum);
}

// Copies `src` to `dst` and overwrites the F16 element `index` of `tensor` with `bits`.
void pokeF16(const fs::path& src, const fs::path& dst, const std::string& tensor, std::uint64_t index, std::uint16_t bits)
{
    if (!fs::exists(dst)) fs::copy_file(src, dst);
    auto g = io::GgufFile::open(dst);
    ASSERT_TRUE(g.ok());
    const auto i = (*g)->findTensor(tensor);
    ASSERT_GE(i, 0);
    const auto& t = (*g)->tensors()[static_cast<std::size_t>(i)];
    ASSERT_EQ(t.type, DType::F16);
    const std::uint64_t at = (*g)->dataOffset() + t.offset + 2 * index;
    g->reset();
    std::fstream f(dst, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(at));
    f.write(reinterpret_cast<const char*>(&bits), 2);
}

TEST(QuantizeJob, NanOrInfWeightIsRefusedNamingTensorAndIndex)
{
    TempDir dir;
    const fs::path model = testModel("odd96");
    ASSERT_FALSE(model.empty());
    // blk.3.ffn_up.weight: ne = [96, 256]; a NaN at element 5000 and an Inf at 3000.
    pokeF16(model, dir / "bad.gguf", "blk.3.ffn_up.weight", 5000, 0x7e00);
    pokeF16(model, dir / "bad.gguf", "blk.3.ffn_up.weight", 3000, 0xfc00);
    fs::create_directory(dir / "out");
    for (const char* mix : {"Q4_K_M", "Q8_0", "Q4_0"}) {
        SCOPED_TRACE(mix);
        auto r = quantize(dir / "bad.gguf", dir / "out" / "o.gguf", mixConfig(mix, 2));
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code, ErrorCode::Malformed);
        EXPECT_EQ(r.error().tensor, "blk.3.ffn_up.weight");
        EXPECT_NE(r.error().detail.find("-Inf at element 3000 (row 31, column 24)"), std::string::npos) << describe(r.error());
        EXPECT_TRUE(fs::is_empty(dir / "out"));
    }
    // A NaN in a tensor that is copied unchanged (F16 -> F16) is passed through, as llama-quantize does.
    pipeline::QuantizeConfig f16 = mixConfig("F16");
    EXPECT_TRUE(quantize(dir / "bad.gguf", dir / "out" / "f16.gguf", f16).ok());
}

// Writes a copy of the reference imatrix with the tensors `edit` returns (name -> values, shape).
struct ImTensor {
    std::string name;
    std::vector<std::uint64_t> ne;
    std::vector<float> values;
};

void writeImatrix(const fs::path& out, const std::function<void(std::vector<ImTensor>&)>& edit, bool keepKeys = true)
{
    auto g = io::GgufFile::open(refDir() / "tiny-llama-spm-imatrix.gguf");
    ASSERT_TRUE(g.ok());
    std::vector<ImTensor> ts;
    for (std::size_t i = 0; i < (*g)->tensors().size(); ++i) {
        const auto& t = (*g)->tensors()[i];
        ImTensor x{t.name, {t.ne, t.ne + t.nDims}, std::vector<float>(t.elements())};
        std::memcpy(x.values.data(), (*g)->tensorData(i).data(), x.values.size() * 4);
        ts.push_back(std::move(x));
    }
    edit(ts);
    io::GgufWriter w;
    for (const auto& kv : (*g)->metadata())
        if (keepKeys || kv.key.rfind("imatrix.", 0) != 0) w.set(kv.key, kv.value);
    for (const auto& t : ts) ASSERT_TRUE(w.addTensor(t.name, DType::F32, t.ne).ok());
    jobs::NullSink sink;
    auto r = w.write(out, [&](std::size_t i, io::TensorOutput& o) {
        return o.write(std::span<const std::byte>(reinterpret_cast<const std::byte*>(ts[i].values.data()), ts[i].values.size() * 4));
    }, {}, sink);
    ASSERT_TRUE(r.ok()) << describe(r.error());
}

std::string tensorData(const fs::path& file, const std::string& name)
{
    auto g = io::GgufFile::open(file);
    if (!g) return {};
    const auto i = (*g)->findTensor(name);
    if (i < 0) return {};
    const auto d = (*g)->tensorData(static_cast<std::size_t>(i));
    return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

TEST(Imatrix, ReadsLlamaImatrixGgufAsLlamaQuantizeDoes)
{
    auto im = quant::ImportanceMatrix::load(refDir() / "tiny-llama-spm-imatrix.gguf");
    ASSERT_TRUE(im.ok()) << describe(im.error());
    // quantize.imatrix.* of tiny-llama-spm-Q4_K_M-imat.gguf: 42 entries, 186 chunks, calib-train.txt.
    EXPECT_EQ(im->size(), 42u);
    EXPECT_EQ(im->chunkCount(), 186);
    ASSERT_FALSE(im->datasets().empty());
    EXPECT_EQ(im->datasets().front(), "calib-train.txt");
    EXPECT_FALSE(im->legacy());
    ASSERT_NE(im->find("blk.0.ffn_down.weight"), nullptr);
    EXPECT_EQ(im->find("blk.0.ffn_down.weight")->size(), 768u);
    EXPECT_EQ(im->find("output.weight"), nullptr);
}

TEST(Imatrix, MissingTensorFallsBackToNoImatrixWithAWarning)
{
    TempDir dir;
    writeImatrix(dir / "im.gguf", [](std::vector<ImTensor>& ts) {
        std::erase_if(ts, [](const ImTensor& t) { return t.name.rfind("blk.0.attn_q.weight.", 0) == 0; });
    });
    pipeline::QuantizeConfig cfg = mixConfig("Q4_K_M");
    auto im = quant::ImportanceMatrix::load(dir / "im.gguf");
    ASSERT_TRUE(im.ok()) << describe(im.error());
    cfg.imatrix = std::make_shared<const quant::ImportanceMatrix>(std::move(*im));
    auto r = quantize(referenceGguf("F16"), dir / "o.gguf", cfg);
    ASSERT_TRUE(r.ok()) << describe(r.error());
    bool warned = false;
    for (const auto& w : r->warnings) warned |= cli::messageText(w).find("blk.0.attn_q.weight") != std::string::npos;
    EXPECT_TRUE(warned);
    // That tensor is quantized as without an imatrix, the others as with it.
    EXPECT_TRUE(tensorData(dir / "o.gguf", "blk.0.attn_q.weight") == tensorData(referenceGguf("Q4_K_M"), "blk.0.attn_q.weight"));
    EXPECT_TRUE(tensorData(dir / "o.gguf", "blk.0.attn_k.weight") == tensorData(referenceGguf("Q4_K_M-imat"), "blk.0.attn_k.weight"));
    EXPECT_FALSE(tensorData(dir / "o.gguf", "blk.0.attn_k.weight") == tensorData(referenceGguf("Q4_K_M"), "blk.0.attn_k.weight"));
}

TEST(Imatrix, WrongLengthIsAnErrorNamingFileAndTensor)
{
    TempDir dir;
    writeImatrix(dir / "im.gguf", [](std::vector<ImTensor>& ts) {
        for (auto& t : ts)
            if (t.name == "blk.1.ffn_up.weight.in_sum2") {
                t.ne = {128, 1};
                t.values.resize(128);
            }
    });
    auto im = quant::ImportanceMatrix::load(dir / "im.gguf");
    ASSERT_TRUE(im.ok()) << describe(im.error());
    pipeline::QuantizeConfig cfg = mixConfig("Q4_K_M");
    cfg.imatrix = std::make_shared<const quant::ImportanceMatrix>(std::move(*im));
    fs::create_directory(dir / "out");
    auto r = quantize(referenceGguf("F16"), dir / "out" / "o.gguf", cfg);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().file, (dir / "im.gguf").string());
    EXPECT_EQ(r.error().tensor, "blk.1.ffn_up.weight");
    EXPECT_NE(r.error().detail.find("128"), std::string::npos) << describe(r.error());
    EXPECT_TRUE(fs::is_empty(dir / "out"));
}

TEST(Imatrix, UnreadableFilesAreClearErrors)
{
    TempDir dir;
    const auto fails = [&](const std::string& name, const std::string& bytes) {
        writeFile(dir / name, bytes);
        auto r = quant::ImportanceMatrix::load(dir / name);
        EXPECT_FALSE(r.ok()) << name;
        if (!r.ok()) {
            EXPECT_EQ(r.error().file, (dir / name).string()) << name;
        }
    };
    fails("empty.dat", "");
    fails("text.dat", "hello, I am not an imatrix\n");
    std::mt19937 rng(3);
    std::string garbage(4096, '\0');
    for (auto& c : garbage) c = static_cast<char>(rng());
    fails("garbage.dat", garbage);
    fails("truncated.gguf", readFile(refDir() / "tiny-llama-spm-imatrix.gguf").substr(0, 3000));
    // A model is a GGUF but not an imatrix.
    auto model = quant::ImportanceMatrix::load(referenceGguf("F16"));
    EXPECT_FALSE(model.ok());
    // An imatrix GGUF without its imatrix.* keys (llama-quantize: "missing imatrix metadata").
    writeImatrix(dir / "nokeys.gguf", [](std::vector<ImTensor>&) {}, false);
    EXPECT_FALSE(quant::ImportanceMatrix::load(dir / "nokeys.gguf").ok());
    // Sums without counts.
    writeImatrix(dir / "nocounts.gguf", [](std::vector<ImTensor>& ts) {
        std::erase_if(ts, [](const ImTensor& t) { return t.name == "blk.2.attn_v.weight.counts"; });
    });
    auto nc = quant::ImportanceMatrix::load(dir / "nocounts.gguf");
    ASSERT_FALSE(nc.ok());
    EXPECT_EQ(nc.error().tensor, "blk.2.attn_v.weight");
    // A non-finite importance.
    writeImatrix(dir / "inf.gguf", [](std::vector<ImTensor>& ts) {
        for (auto& t : ts)
            if (t.name == "blk.4.ffn_gate.weight.in_sum2") t.values[7] = std::numeric_limits<float>::infinity();
    });
    auto inf = quant::ImportanceMatrix::load(dir / "inf.gguf");
    ASSERT_FALSE(inf.ok());
    EXPECT_EQ(inf.error().tensor, "blk.4.ffn_gate.weight");
}

std::string le32(std::int32_t v) { return std::string(reinterpret_cast<const char*>(&v), 4); }
std::string lef(float v) { return std::string(reinterpret_cast<const char*>(&v), 4); }

TEST(Imatrix, ReadsTheLegacyDatFormat)
{
    // Layout from common/imatrix-loader.cpp (formats.md 4.7): values are stored times ncall.
    TempDir dir;
    std::string dat = le32(2);
    dat += le32(19) + "blk.0.attn_q.weight" + le32(4) + le32(3) + lef(8.0f) + lef(2.0f) + lef(1.0f);
    dat += le32(13) + "output.weight" + le32(0) + le32(1) + lef(5.0f);
    writeFile(dir / "ok.dat", dat + le32(77) + le32(9) + "calib.txt");
    auto im = quant::ImportanceMatrix::load(dir / "ok.dat");
    ASSERT_TRUE(im.ok()) << describe(im.error());
    EXPECT_TRUE(im->legacy());
    EXPECT_EQ(im->size(), 2u);
    EXPECT_EQ(im->chunkCount(), 77);
    ASSERT_EQ(im->datasets().size(), 1u);
    EXPECT_EQ(im->datasets()[0], "calib.txt");
    ASSERT_NE(im->find("blk.0.attn_q.weight"), nullptr);
    EXPECT_EQ(*im->find("blk.0.attn_q.weight"), (std::vector<float>{2.0f, 0.5f, 0.25f}));
    EXPECT_EQ(*im->find("output.weight"), (std::vector<float>{5.0f})); // ncall 0: as stored
    // Without the optional trailer.
    writeFile(dir / "notrailer.dat", dat);
    EXPECT_TRUE(quant::ImportanceMatrix::load(dir / "notrailer.dat").ok());
    // Truncated inside the values, a negative name length, zero values.
    writeFile(dir / "cut.dat", dat.substr(0, 40));
    auto cut = quant::ImportanceMatrix::load(dir / "cut.dat");
    ASSERT_FALSE(cut.ok());
    EXPECT_EQ(cut.error().code, ErrorCode::Truncated);
    writeFile(dir / "neg.dat", le32(1) + le32(-5) + std::string(32, 'x'));
    EXPECT_FALSE(quant::ImportanceMatrix::load(dir / "neg.dat").ok());
    writeFile(dir / "zero.dat", le32(1) + le32(1) + "a" + le32(1) + le32(0) + std::string(16, '\0'));
    EXPECT_FALSE(quant::ImportanceMatrix::load(dir / "zero.dat").ok());
}

TEST(QuantizeJob, ReplayedPlanGivesTheSameFile)
{
    TempDir dir;
    jobs::NullSink sink;
    auto ck = io::openCheckpoint(referenceGguf("F16"), sink);
    ASSERT_TRUE(ck.ok());
    pipeline::QuantizeConfig cfg = mixConfig("Q4_K_M");
    cfg.overrides = {{R"(blk\.0\.attn_v)", DType::Q8_0}};
    auto planned = pipeline::planQuantization(**ck, cfg);
    ASSERT_TRUE(planned.ok());
    auto plan = plan::planFromJson(plan::toJson(planned->plan), "p.json");
    ASSERT_TRUE(plan.ok());
    pipeline::QuantizeConfig replay;
    replay.plan = *plan;
    auto r = pipeline::runQuantize(**ck, dir / "replay.gguf", replay, sink);
    ASSERT_TRUE(r.ok()) << describe(r.error());
    // tiny-ovr1: llama-quantize --tensor-type 'blk\.0\.attn_v=q8_0' ... Q4_K_M
    EXPECT_EQ(sha256File(dir / "replay.gguf"), "96c186b03ce910b6cb0b7ff56db17930254f7f1609da7429c6d71361cc8ebd83");

    // A plan for another model, and a plan whose shape or names do not match.
    auto qwen = io::openCheckpoint(qwen2Dir(), sink);
    ASSERT_TRUE(qwen.ok());
    auto qplan = pipeline::planQuantization(**qwen, mixConfig("Q4_K_M"));
    ASSERT_TRUE(qplan.ok());
    pipeline::QuantizeConfig wrong;
    wrong.plan = qplan->plan;
    fs::create_directory(dir / "out");
    auto e = pipeline::runQuantize(**ck, dir / "out" / "o.gguf", wrong, sink);
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.error().code, ErrorCode::InvalidArgument);
    plan::QuantPlan reshaped = *plan;
    reshaped.tensors[5].ne[0] = 512;
    wrong.plan = reshaped;
    e = pipeline::runQuantize(**ck, dir / "out" / "o.gguf", wrong, sink);
    ASSERT_FALSE(e.ok());
    EXPECT_NE(e.error().detail.find(reshaped.tensors[5].name), std::string::npos) << describe(e.error());
    plan::QuantPlan missing = *plan;
    missing.tensors.pop_back();
    wrong.plan = missing;
    e = pipeline::runQuantize(**ck, dir / "out" / "o.gguf", wrong, sink);
    ASSERT_FALSE(e.ok());
    EXPECT_NE(e.error().detail.find(plan->tensors.back().name), std::string::npos) << describe(e.error());
    EXPECT_TRUE(fs::is_empty(dir / "out"));
}

TEST(QuantizeJob, RequantizingWarns)
{
    TempDir dir;
    auto r = quantize(referenceGguf("Q8_0"), dir / "o.gguf", mixConfig("Q4_K_M"));
    ASSERT_TRUE(r.ok()) << describe(r.error());
    ASSERT_EQ(r->warnings.size(), 1u);
    EXPECT_NE(cli::messageText(r->warnings[0]).find("requantizing 44"), std::string::npos) << cli::messageText(r->warnings[0]);
}

} // namespace
} // namespace condense::test
