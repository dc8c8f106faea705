// llama.cpp's own tokenizer tests (tests/test-tokenizer-0.cpp at 34af94cd): for every
// models/ggml-vocab-NAME.gguf (a vocabulary-only GGUF) with NAME.gguf.inp (test strings
// separated by "\n__ggml_vocab_test__\n") and NAME.gguf.out (the Python tokenizer's ids, one
// line per string), our tokenizer without special tokens (llama.cpp's add_special = false,
// parse_special = false; condense-cli tokenize --no-special) must give the same ids.
// The files are not in this repository: the test is registered only when
// CONDENSE_LLAMA_VOCAB_DIR names a folder holding them (llama.cpp's models/).
// Vocabularies we do not run must be refused with UnsupportedFormat, and only those listed.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <stop_token>
#include <string>
#include <vector>

#include "core/pipeline/tokenize_job.h"
#include "tests/support/temp_dir.h"

using namespace condense;
namespace fs = std::filesystem;
using Ids = std::vector<std::int32_t>;

namespace {

// Refused on purpose: WordPiece vocabularies, and pre-tokenizers we have no regexes for.
const std::vector<std::string> kKnownUnsupported = {"bert-bge", "nomic-bert-moe", "deepseek-llm"};

struct Case {
    std::string text;
    Ids ids;
};

std::vector<Case> readCases(const fs::path& inp, const fs::path& out)
{
    const std::string raw = test::readFile(inp);
    const std::string sep = "\n__ggml_vocab_test__\n";
    std::vector<std::string> texts;
    for (std::size_t pos = 0; pos < raw.size();) {
        const std::size_t next = raw.find(sep, pos);
        if (next == std::string::npos) {
            texts.push_back(raw.substr(pos));
            break;
        }
        texts.push_back(raw.substr(pos, next - pos));
        pos = next + sep.size();
    }
    std::istringstream lines(test::readFile(out));
    std::vector<Case> cases;
    std::string line;
    for (const std::string& t : texts) {
        if (!std::getline(lines, line)) {
            ADD_FAILURE() << out << " has fewer lines than " << inp << " has strings";
            break;
        }
        Case c{t, {}};
        std::istringstream ids(line);
        for (std::int32_t id; ids >> id;) c.ids.push_back(id);
        cases.push_back(std::move(c));
    }
    return cases;
}

TEST(LlamaVocab, EveryVocabularyWeRunMatchesLlamaCppsTestCases)
{
    const fs::path dir = CONDENSE_LLAMA_VOCAB_DIR;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir)) {
        const std::string name = e.path().filename().string();
        if (name.rfind("ggml-vocab-", 0) == 0 && e.path().extension() == ".gguf") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    ASSERT_FALSE(files.empty()) << "no ggml-vocab-*.gguf in " << dir;

    std::size_t checked = 0;
    for (const fs::path& f : files) {
        const std::string name = f.stem().string().substr(std::string("ggml-vocab-").size());
        SCOPED_TRACE(f.filename().string());
        const fs::path inp = f.string() + ".inp", out = f.string() + ".out";
        const bool known = std::find(kKnownUnsupported.begin(), kKnownUnsupported.end(), name) != kKnownUnsupported.end();
        jobs::NullSink sink;
        auto probe = pipeline::runTokenize({f.string(), "Hello world", false}, sink, std::stop_token());
        if (!probe) {
            EXPECT_TRUE(known) << describe(probe.error());
            EXPECT_EQ(probe.error().code, ErrorCode::UnsupportedFormat) << describe(probe.error());
            continue;
        }
        EXPECT_FALSE(known) << "now supported: take it off kKnownUnsupported";
        EXPECT_FALSE(probe->ids.empty());
        if (!fs::exists(inp) || !fs::exists(out)) continue; // some vocabularies come without cases
        const auto cases = readCases(inp, out);
        EXPECT_FALSE(cases.empty());
        std::size_t failed = 0;
        for (const Case& c : cases) {
            auto r = pipeline::runTokenize({f.string(), c.text, false}, sink, std::stop_token());
            ASSERT_TRUE(r.ok()) << describe(r.error());
            if (r->ids != c.ids) ++failed;
            EXPECT_EQ(r->ids, c.ids) << "text: " << ::testing::PrintToString(c.text);
        }
        std::cout << f.filename().string() << ": " << cases.size() - failed << "/" << cases.size() << " cases pass\n";
        ++checked;
    }
    EXPECT_GT(checked, 0u);
}

} // namespace
