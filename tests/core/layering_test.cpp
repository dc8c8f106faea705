// The floors of core/ (../shared/DESIGN.md "Layers"): every core folder may include only the
// folders below it, so nothing forms a cycle and the next work (analysis, calibration, the
// planner) has a place to stand. The table is the drawing; the test reads every #include of
// the source tree and fails on any arrow the table does not allow. app/ holds executables
// only: it fills pipeline requests and prints results, so it never opens checkpoints, builds
// models or tokenizers, or writes files itself.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/test_paths.h"

namespace {

namespace fs = std::filesystem;

// Folder -> the folders it may include (besides itself). Lower floors first.
const std::map<std::string, std::set<std::string>>& allowed()
{
    static const std::map<std::string, std::set<std::string>> table = {
        {"common", {}},
        {"jobs", {"common"}},
        {"tensor", {"common"}},
        {"arch", {"common"}},
        {"io", {"common", "jobs", "tensor", "arch"}},
        {"quant", {"common", "jobs", "tensor", "arch", "io"}},
        {"tokenizer", {"common", "jobs", "tensor", "arch", "io"}},
        {"plan", {"common", "jobs", "tensor", "arch", "io", "quant"}},
        {"model", {"common", "jobs", "tensor", "arch", "io", "quant"}},
        {"eval", {"common", "jobs", "tensor", "arch", "io", "quant", "tokenizer", "model"}},
        {"analysis", {"common", "jobs", "tensor", "arch", "io", "quant", "tokenizer", "model", "plan"}},
        {"report", {"common", "jobs", "tensor", "arch", "io", "quant", "plan", "model", "eval", "analysis"}},
        {"pipeline", {"common", "jobs", "tensor", "arch", "io", "quant", "tokenizer", "plan", "model", "eval", "analysis", "report"}},
    };
    return table;
}

struct Include {
    fs::path file;
    int line;
    std::string target; // "core/io/checkpoint.h"
};

std::vector<Include> includesUnder(const fs::path& dir)
{
    static const std::regex re(R"(^\s*#\s*include\s*"([^"]+)\")");
    std::vector<Include> out;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (!e.is_regular_file()) continue;
        const auto ext = e.path().extension();
        if (ext != ".h" && ext != ".cpp") continue;
        std::ifstream in(e.path());
        std::string text;
        int n = 0;
        while (std::getline(in, text)) {
            ++n;
            std::smatch m;
            if (std::regex_search(text, m, re)) out.push_back({e.path(), n, m[1]});
        }
    }
    return out;
}

std::string folderOf(const std::string& coreInclude)
{
    // "core/io/checkpoint.h" -> "io"
    const auto a = coreInclude.find('/');
    const auto b = coreInclude.find('/', a + 1);
    return b == std::string::npos ? std::string() : coreInclude.substr(a + 1, b - a - 1);
}

TEST(Layering, EveryCoreFolderIsInTheTable)
{
    const fs::path core = condense::test::sourceDir() / "core";
    ASSERT_TRUE(fs::is_directory(core)) << core;
    for (const auto& e : fs::directory_iterator(core)) {
        if (!e.is_directory()) continue;
        EXPECT_TRUE(allowed().count(e.path().filename().string()))
            << "core/" << e.path().filename().string() << " has no floor in the layering table (tests/core/layering_test.cpp)";
    }
}

TEST(Layering, CoreFoldersIncludeOnlyFoldersBelowThem)
{
    const fs::path core = condense::test::sourceDir() / "core";
    const auto includes = includesUnder(core);
    ASSERT_GT(includes.size(), 100u) << "the scan found almost no includes: wrong source dir?";
    std::size_t checked = 0;
    for (const auto& inc : includes) {
        const std::string from = fs::relative(inc.file, core).begin()->string();
        if (inc.target.rfind("core/", 0) != 0) {
            EXPECT_TRUE(inc.target.rfind("ui/", 0) != 0 && inc.target.rfind("app/", 0) != 0)
                << inc.file.string() << ":" << inc.line << " includes " << inc.target << ": core never includes ui/ or app/";
            continue;
        }
        const std::string to = folderOf(inc.target);
        if (to == from) continue;
        ++checked;
        const auto it = allowed().find(from);
        if (it == allowed().end()) continue; // reported by EveryCoreFolderIsInTheTable
        EXPECT_TRUE(it->second.count(to)) << inc.file.string() << ":" << inc.line << ": core/" << from << " includes "
                                          << inc.target << ", but core/" << to << " is not below core/" << from;
    }
    EXPECT_GT(checked, 50u);
}

TEST(Layering, TheTableHasNoCycles)
{
    // Depth-first search over the allowed arrows.
    std::map<std::string, int> state; // 0 new, 1 on stack, 2 done
    std::function<bool(const std::string&)> acyclic = [&](const std::string& f) {
        if (state[f] == 1) return false;
        if (state[f] == 2) return true;
        state[f] = 1;
        for (const auto& g : allowed().at(f))
            if (!acyclic(g)) return false;
        state[f] = 2;
        return true;
    };
    for (const auto& [f, _] : allowed()) EXPECT_TRUE(acyclic(f)) << "cycle through core/" << f;
}

TEST(Layering, AppHoldsNoPipelineLogic)
{
    const fs::path app = condense::test::sourceDir() / "app";
    ASSERT_TRUE(fs::is_directory(app)) << app;
    // What only core/pipeline may do: open checkpoints, build models and tokenizers, write files.
    const std::vector<std::string> forbiddenIncludes = {"core/model/", "core/quant/", "core/tokenizer/", "core/io/gguf_writer.h",
                                                        "core/io/atomic_file.h", "core/io/checkpoint.h"};
    for (const auto& inc : includesUnder(app))
        for (const auto& f : forbiddenIncludes)
            EXPECT_EQ(inc.target.rfind(f, 0), std::string::npos)
                << inc.file.string() << ":" << inc.line << " includes " << inc.target << ": app/ goes through core/pipeline";
    const std::vector<std::string> forbiddenCalls = {"openCheckpoint(", "loadModel(", "loadTokenizer(", "GgufWriter",
                                                     "std::ofstream", "fopen("};
    for (const auto& e : fs::recursive_directory_iterator(app)) {
        if (!e.is_regular_file() || (e.path().extension() != ".cpp" && e.path().extension() != ".h")) continue;
        std::ifstream in(e.path());
        std::string text;
        int n = 0;
        while (std::getline(in, text)) {
            ++n;
            for (const auto& c : forbiddenCalls)
                EXPECT_EQ(text.find(c), std::string::npos)
                    << e.path().string() << ":" << n << " uses " << c << ": app/ fills requests and prints, core/pipeline does the work";
        }
    }
}

} // namespace
