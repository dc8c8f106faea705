// The calibration sets (core/pipeline/calibration_set.h): the bundled sets are the committed
// files of resources/calibration (manifest.json's SHA-256), calibration and held-out splits are
// disjoint, user files are split verbatim at a paragraph, dialogues render in each template
// family's own markup, and chunks follow llama-imatrix's cutting.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/io/checkpoint.h"
#include "core/jobs/progress.h"
#include "core/pipeline/calibration_set.h"
#include "core/tokenizer/tokenizer.h"
#include "tests/support/sha256.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace fs = std::filesystem;
using namespace condense;
using pipeline::ChatStyle;

namespace {

std::string readFile(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

fs::path calibrationDir() { return test::sourceDir() / "resources" / "calibration"; }

// Splits on blank lines (the documents of a bundled plain set).
std::vector<std::string> documents(const std::string& text)
{
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find("\n\n", pos);
        if (end == std::string::npos) end = text.size();
        if (end > pos) out.push_back(text.substr(pos, end - pos));
        pos = end + 2;
    }
    return out;
}

} // namespace

TEST(CalibrationSet, BundledSetsAreTheManifestFiles)
{
    const auto manifest = nlohmann::json::parse(readFile(test::requireFile(calibrationDir() / "manifest.json")));
    ASSERT_EQ(manifest["sets"].size(), 4u);
    for (const std::string& name : pipeline::calibrationSetNames()) {
        SCOPED_TRACE(name);
        ASSERT_TRUE(manifest["sets"].contains(name));
        const auto& set = manifest["sets"][name];
        EXPECT_FALSE(set["sources"].empty());
        for (const auto& s : set["sources"]) {
            EXPECT_FALSE(s["licence"].get<std::string>().empty());
            EXPECT_FALSE(s["origin"].get<std::string>().empty());
        }
        for (const auto& f : set["files"]) {
            const fs::path p = calibrationDir() / f["file"].get<std::string>();
            EXPECT_EQ(test::sha256File(p), f["sha256"].get<std::string>()) << p;
            EXPECT_EQ(fs::file_size(p), f["bytes"].get<std::uint64_t>()) << p;
        }
        // Plain style renders the chat set with no markup: the embedded text is the file's.
        auto src = pipeline::loadCalibrationSource(name, ChatStyle::Plain);
        ASSERT_TRUE(src) << src.error().detail;
        EXPECT_EQ(src->label, name + " (bundled)");
        EXPECT_GT(src->calibration.size(), 100'000u);
        EXPECT_GT(src->heldOut.size(), 10'000u);
        EXPECT_GT(src->documents, src->heldOutDocuments);
        EXPECT_GT(src->heldOutDocuments, 0);
        EXPECT_FALSE(src->parseSpecial);
        if (name != "chat") {
            EXPECT_EQ(src->calibration, readFile(calibrationDir() / (name + ".txt")));
            EXPECT_EQ(src->heldOut, readFile(calibrationDir() / (name + ".heldout.txt")));
        }
    }
}

TEST(CalibrationSet, HeldOutDocumentsNeverReachCalibration)
{
    for (const std::string& name : {std::string("general"), std::string("code"), std::string("multilingual")}) {
        SCOPED_TRACE(name);
        auto src = pipeline::loadCalibrationSource(name, ChatStyle::Plain);
        ASSERT_TRUE(src);
        const auto cal = documents(src->calibration);
        const std::set<std::string> calSet(cal.begin(), cal.end());
        for (const std::string& d : documents(src->heldOut)) {
            if (d.size() < 200) continue; // short headings ("Article 1") may repeat across languages
            EXPECT_EQ(calSet.count(d), 0u) << d.substr(0, 80);
            EXPECT_EQ(src->calibration.find(d), std::string::npos) << d.substr(0, 80);
        }
    }
    auto chat = pipeline::loadCalibrationSource("chat", ChatStyle::ChatML);
    ASSERT_TRUE(chat);
    EXPECT_TRUE(chat->parseSpecial);
    // Every held-out dialogue's first user message is absent from calibration.
    auto held = pipeline::parseDialogues(readFile(calibrationDir() / "chat.heldout.jsonl"), "held");
    ASSERT_TRUE(held);
    for (const auto& d : *held) {
        for (const auto& t : d) {
            if (t.role == "user" && t.content.size() > 60) {
                EXPECT_EQ(chat->calibration.find(t.content), std::string::npos);
            }
        }
    }
}

TEST(CalibrationSet, MultilingualHoldsEveryPromisedLanguage)
{
    auto src = pipeline::loadCalibrationSource("multilingual", ChatStyle::Plain);
    ASSERT_TRUE(src);
    // Words of the UDHR's first article in German, French, Spanish and Chinese.
    for (const char* w : {"Menschen", "droits", "derechos", "人人"}) EXPECT_NE(src->calibration.find(w), std::string::npos) << w;
}

TEST(CalibrationSet, ChatTemplateFamilies)
{
    EXPECT_EQ(pipeline::chatStyleFromTemplate(
                  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + "
                  "'<|im_end|>' + '\\n'}}{% endfor %}"),
              ChatStyle::ChatML);
    EXPECT_EQ(pipeline::chatStyleFromTemplate("{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' }}"),
              ChatStyle::Llama3);
    EXPECT_EQ(pipeline::chatStyleFromTemplate("{{ bos_token + '[INST] ' + message['content'] + ' [/INST]' }}"),
              ChatStyle::Llama2);
    EXPECT_EQ(pipeline::chatStyleFromTemplate("{{ '<start_of_turn>' + role + '\\n' }}"), ChatStyle::Gemma);
    EXPECT_EQ(pipeline::chatStyleFromTemplate("{{'<|' + message['role'] + '|>' + '\\n' + message['content'] + '<|end|>'}}"
                                              "{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}"),
              ChatStyle::Phi3);
    EXPECT_EQ(pipeline::chatStyleFromTemplate(""), ChatStyle::Plain);
    EXPECT_EQ(pipeline::chatStyleFromTemplate("{{ messages }}"), ChatStyle::Plain);

    const pipeline::Dialogue d{{"system", "Be brief."}, {"user", "Hi?"}, {"assistant", "Hello."}};
    EXPECT_EQ(pipeline::renderDialogue(d, ChatStyle::ChatML),
              "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi?<|im_end|>\n<|im_start|>assistant\nHello.<|im_end|>\n");
    EXPECT_EQ(pipeline::renderDialogue(d, ChatStyle::Llama3),
              "<|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi?"
              "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nHello.<|eot_id|>");
    EXPECT_EQ(pipeline::renderDialogue(d, ChatStyle::Llama2), "[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi? [/INST] Hello. </s>");
    EXPECT_EQ(pipeline::renderDialogue(d, ChatStyle::Gemma),
              "<start_of_turn>user\nBe brief.\n\nHi?<end_of_turn>\n<start_of_turn>model\nHello.<end_of_turn>\n");
    EXPECT_EQ(pipeline::renderDialogue(d, ChatStyle::Phi3), "<|system|>\nBe brief.<|end|>\n<|user|>\nHi?<|end|>\n<|assistant|>\nHello.<|end|>\n");
    EXPECT_EQ(pipeline::renderDialogue(d, ChatStyle::Plain), "System: Be brief.\n\nUser: Hi?\n\nAssistant: Hello.");
    const pipeline::Dialogue two{{"user", "A"}, {"assistant", "B"}, {"user", "C"}, {"assistant", "D"}};
    EXPECT_EQ(pipeline::renderDialogue(two, ChatStyle::Llama2), "[INST] A [/INST] B </s><s>[INST] C [/INST] D </s>");
}

TEST(CalibrationSet, UserFileIsSplitVerbatimAtAParagraph)
{
    test::TempDir dir;
    const std::string text = "First paragraph,\r\nstill first.\n\n\n  Second one.\n\nThird.\n   \nFourth  \n";
    test::writeFile(dir / "t.txt", text);
    auto whole = pipeline::loadCalibrationSource((dir / "t.txt").string(), ChatStyle::Plain, 0.0);
    ASSERT_TRUE(whole);
    EXPECT_EQ(whole->calibration, text); // byte for byte, as llama-imatrix -f reads it
    EXPECT_TRUE(whole->heldOut.empty());
    EXPECT_EQ(whole->documents, 4);

    auto split = pipeline::loadCalibrationSource((dir / "t.txt").string(), ChatStyle::Plain, 0.5);
    ASSERT_TRUE(split);
    EXPECT_EQ(split->calibration, "First paragraph,\r\nstill first.\n\n\n  Second one.\n\n");
    EXPECT_EQ(split->heldOut, "Third.\n   \nFourth  \n");
    EXPECT_EQ(split->calibration + split->heldOut, text);
    EXPECT_EQ(split->heldOutDocuments, 2);

    // A small fraction still holds out one paragraph; a single paragraph is never held out.
    auto one = pipeline::loadCalibrationSource((dir / "t.txt").string(), ChatStyle::Plain, 0.01);
    ASSERT_TRUE(one);
    EXPECT_EQ(one->heldOut, "Fourth  \n");
    test::writeFile(dir / "single.txt", "Only one paragraph.\n");
    auto single = pipeline::loadCalibrationSource((dir / "single.txt").string(), ChatStyle::Plain, 0.5);
    ASSERT_TRUE(single);
    EXPECT_TRUE(single->heldOut.empty());
}

TEST(CalibrationSet, FolderOfTextsAndDialogues)
{
    test::TempDir dir;
    fs::create_directories(dir / "set");
    test::writeFile(dir / "set" / "b.txt", "Bravo one.\n\nBravo two.\n");
    test::writeFile(dir / "set" / "a.md", "Alpha.\n");
    test::writeFile(dir / "set" / "ignored.bin", "\x01\x02");
    test::writeFile(dir / "set" / "c.jsonl",
                    R"({"messages":[{"role":"user","content":"Q1"},{"role":"assistant","content":"A1"}]})"
                    "\n\n"
                    R"({"messages":[{"role":"user","content":"Q2"},{"role":"assistant","content":"A2"}]})"
                    "\n");
    auto src = pipeline::loadCalibrationSource((dir / "set").string(), ChatStyle::ChatML, 0.3);
    ASSERT_TRUE(src) << src.error().detail;
    EXPECT_EQ(src->calibration, "Alpha.\n\n\nBravo one.\n\n\n\n<|im_start|>user\nQ1<|im_end|>\n<|im_start|>assistant\nA1<|im_end|>\n");
    EXPECT_EQ(src->heldOut, "Bravo two.\n\n\n<|im_start|>user\nQ2<|im_end|>\n<|im_start|>assistant\nA2<|im_end|>\n");
    EXPECT_TRUE(src->parseSpecial);
    EXPECT_EQ(src->documents, 3);
    EXPECT_EQ(src->heldOutDocuments, 2);
}

TEST(CalibrationSet, BadSourcesNameTheFile)
{
    test::TempDir dir;
    auto missing = pipeline::loadCalibrationSource((dir / "nope.txt").string(), ChatStyle::Plain);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
    EXPECT_EQ(missing.error().file, (dir / "nope.txt").string());

    fs::create_directories(dir / "empty");
    test::writeFile(dir / "empty" / "x.bin", "x");
    auto empty = pipeline::loadCalibrationSource((dir / "empty").string(), ChatStyle::Plain);
    ASSERT_FALSE(empty);
    EXPECT_NE(empty.error().detail.find("no .txt"), std::string::npos);

    test::writeFile(dir / "blank.txt", "  \n\n");
    EXPECT_FALSE(pipeline::loadCalibrationSource((dir / "blank.txt").string(), ChatStyle::Plain));

    const std::pair<const char*, const char*> bad[] = {
        {"{not json}\n", "line 1"},
        {"{\"messages\":[]}\n", "no \"messages\""},
        {"\n{\"messages\":[{\"role\":\"user\"}]}\n", "line 2"},
        {"{\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}\n", "unknown role"},
        {"{\"messages\":[{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"system\",\"content\":\"y\"}]}\n", "system message after"},
    };
    for (const auto& [jsonl, what] : bad) {
        test::writeFile(dir / "d.jsonl", jsonl);
        auto r = pipeline::loadCalibrationSource((dir / "d.jsonl").string(), ChatStyle::Plain);
        ASSERT_FALSE(r) << jsonl;
        EXPECT_EQ(r.error().file, (dir / "d.jsonl").string());
        EXPECT_NE(r.error().detail.find(what), std::string::npos) << r.error().detail;
    }
    EXPECT_FALSE(pipeline::loadCalibrationSource("general", ChatStyle::Plain, 1.0));
    EXPECT_FALSE(pipeline::loadCalibrationSource("general", ChatStyle::Plain, -0.1));
}

TEST(CalibrationSet, ChunksAsLlamaImatrixCutsThem)
{
    jobs::NullSink quiet;
    auto ck = io::openCheckpoint(test::demoDir(), quiet);
    ASSERT_TRUE(ck);
    auto tok = tokenizer::loadTokenizer(**ck);
    ASSERT_TRUE(tok);
    const tokenizer::Tokenizer& t = **tok;
    ASSERT_TRUE(t.addBos());
    auto src = pipeline::loadCalibrationSource("general", ChatStyle::Plain);
    ASSERT_TRUE(src);
    const std::string text = src->calibration.substr(0, 20000) + "\n";
    const std::vector<std::int32_t> all = t.encode(std::string_view(text).substr(0, text.size() - 1), true, false);
    std::int64_t total = 0;
    auto chunks = pipeline::calibrationChunks(t, text, false, 128, 0, "x", &total);
    ASSERT_TRUE(chunks);
    EXPECT_EQ(total, static_cast<std::int64_t>(all.size()));
    ASSERT_EQ(chunks->size(), all.size() / 128);
    for (std::size_t c = 0; c < chunks->size(); ++c) {
        ASSERT_EQ((*chunks)[c].size(), 128u);
        EXPECT_EQ((*chunks)[c][0], t.bosId());
        for (std::size_t i = 1; i < 128; ++i) ASSERT_EQ((*chunks)[c][i], all[c * 128 + i]);
    }
    auto budget = pipeline::calibrationChunks(t, text, false, 128, 300, "x");
    ASSERT_TRUE(budget);
    EXPECT_EQ(budget->size(), 2u);
    auto tooShort = pipeline::calibrationChunks(t, "A few words.", false, 128, 0, "short.txt");
    ASSERT_FALSE(tooShort);
    EXPECT_EQ(tooShort.error().file, "short.txt");
    EXPECT_NE(tooShort.error().detail.find("fewer than one chunk of 128"), std::string::npos);
    EXPECT_FALSE(pipeline::calibrationChunks(t, text, false, 128, 100, "x")); // budget below a chunk

    // Special-token text is markup only when asked: "</s>" is one token with parseSpecial.
    const auto plain = t.encode("a </s> b", false, false);
    const auto special = t.encode("a </s> b", false, true);
    EXPECT_LT(special.size(), plain.size());
}
