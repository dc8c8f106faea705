// ModelTreeModel: QAbstractItemModelTester (fatal) watches it from before any data through
// set / reset / set again, directly and behind the filter proxy; grouping and columns are
// checked against the llama.cpp reference GGUF's own JSON dump and the models README.
#include <QAbstractItemModelTester>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSortFilterProxyModel>

#include <gtest/gtest.h>

#include <map>

#include "core/io/checkpoint.h"
#include "tests/support/test_paths.h"
#include "ui/i18n/number_format.h"
#include "ui/models/model_tree_model.h"
#include "ui/models/tensor_group.h"

using condense::ui::ModelTreeModel;
using condense::ui::TensorGroupKind;
namespace test = condense::test;

namespace {

std::shared_ptr<const condense::io::Checkpoint> open(const std::filesystem::path& p)
{
    condense::jobs::NullSink sink;
    auto r = condense::io::openCheckpoint(p, sink);
    EXPECT_TRUE(r.ok()) << p << ": " << (r.ok() ? "" : condense::describe(r.error()));
    return r.ok() ? *r : nullptr;
}

QString display(const QAbstractItemModel& m, const QModelIndex& i, int column)
{
    return m.index(i.row(), column, i.parent()).data().toString();
}

QModelIndex findGroup(const QAbstractItemModel& m, const QString& label)
{
    for (int r = 0; r < m.rowCount(); ++r)
        if (m.index(r, 0).data().toString() == label) return m.index(r, 0);
    return {};
}

QModelIndex findTensor(const QAbstractItemModel& m, const QString& fullName)
{
    for (int g = 0; g < m.rowCount(); ++g) {
        const QModelIndex group = m.index(g, 0);
        for (int r = 0; r < m.rowCount(group); ++r) {
            const QModelIndex t = m.index(r, 0, group);
            if (t.data(ModelTreeModel::FullNameRole).toString() == fullName) return t;
        }
    }
    return {};
}

int tensorRows(const QAbstractItemModel& m)
{
    int n = 0;
    for (int g = 0; g < m.rowCount(); ++g) n += m.rowCount(m.index(g, 0));
    return n;
}

} // namespace

TEST(TensorGroup, NamesFromGgufAndHuggingFace)
{
    using condense::ui::tensorGroupOf;
    EXPECT_EQ(tensorGroupOf("token_embd.weight").kind, TensorGroupKind::Embedding);
    EXPECT_EQ(tensorGroupOf("model.embed_tokens.weight").kind, TensorGroupKind::Embedding);
    const auto blk = tensorGroupOf("blk.12.ffn_down.weight");
    EXPECT_EQ(blk.kind, TensorGroupKind::Layer);
    EXPECT_EQ(blk.layer, 12);
    EXPECT_EQ(blk.prefix, QStringLiteral("blk.12"));
    const auto hf = tensorGroupOf("model.layers.3.self_attn.q_proj.weight");
    EXPECT_EQ(hf.layer, 3);
    EXPECT_EQ(hf.prefix, QStringLiteral("model.layers.3"));
    EXPECT_EQ(tensorGroupOf("output.weight").kind, TensorGroupKind::Output);
    EXPECT_EQ(tensorGroupOf("output_norm.weight").kind, TensorGroupKind::Output);
    EXPECT_EQ(tensorGroupOf("lm_head.weight").kind, TensorGroupKind::Output);
    EXPECT_EQ(tensorGroupOf("model.norm.weight").kind, TensorGroupKind::Output);
    EXPECT_EQ(tensorGroupOf("rope_freqs.weight").kind, TensorGroupKind::Other);
    EXPECT_EQ(tensorGroupOf("blk.x.attn_q.weight").kind, TensorGroupKind::Other);
    EXPECT_EQ(tensorGroupOf("blk.").kind, TensorGroupKind::Other);
    EXPECT_EQ(tensorGroupOf("blk.99999999999999999999.a").kind, TensorGroupKind::Other);
}

TEST(ModelTreeModel, PassesModelTesterThroughSetResetSet)
{
    ModelTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QSortFilterProxyModel proxy;
    proxy.setRecursiveFilteringEnabled(true);
    proxy.setAutoAcceptChildRows(true);
    proxy.setFilterRole(ModelTreeModel::FullNameRole);
    proxy.setSortRole(ModelTreeModel::RawValueRole);
    proxy.setSourceModel(&model);
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::Fatal);
    EXPECT_EQ(model.rowCount(), 0);

    model.setCheckpoint(open(test::tinyLlamaDir()));
    EXPECT_EQ(tensorRows(model), 57);
    proxy.setFilterFixedString(QStringLiteral("k_proj"));
    EXPECT_EQ(proxy.rowCount(), 6);
    EXPECT_EQ(tensorRows(proxy), 6);
    proxy.setFilterFixedString(QStringLiteral("model.layers.3"));
    ASSERT_EQ(proxy.rowCount(), 1);
    EXPECT_EQ(proxy.rowCount(proxy.index(0, 0)), 9);
    proxy.setFilterFixedString({});
    proxy.sort(ModelTreeModel::SizeColumn, Qt::DescendingOrder);
    proxy.sort(-1);

    model.setCheckpoint(nullptr);
    EXPECT_EQ(model.rowCount(), 0);
    EXPECT_EQ(proxy.rowCount(), 0);

    model.setCheckpoint(open(test::referenceGguf("Q4_K_M")));
    EXPECT_GT(tensorRows(model), 0);
    model.retranslate();
    model.setCheckpoint(open(test::tinyQwen2Dir()));
    EXPECT_GT(tensorRows(model), 0);
}

// The Hugging Face folder: 57 tensors (README: 6 layers; 9 per layer + embedding, norm, lm_head).
TEST(ModelTreeModel, GroupsHuggingFaceNamesByLayer)
{
    ModelTreeModel model;
    model.setCheckpoint(open(test::tinyLlamaDir()));
    ASSERT_EQ(model.rowCount(), 8);
    EXPECT_EQ(model.index(0, 0).data().toString(), QStringLiteral("Token embedding"));
    for (int l = 0; l < 6; ++l) {
        const QModelIndex g = model.index(l + 1, 0);
        EXPECT_EQ(g.data().toString(), QStringLiteral("model.layers.%1").arg(l));
        EXPECT_EQ(model.rowCount(g), 9);
        EXPECT_EQ(display(model, g, ModelTreeModel::TypeColumn), QStringLiteral("F16"));
    }
    EXPECT_EQ(model.index(7, 0).data().toString(), QStringLiteral("Output"));
    EXPECT_EQ(tensorRows(model), 57);

    // hidden 256, 4 KV heads x head_dim 32 = 128 rows, float16.
    const QModelIndex k = findTensor(model, QStringLiteral("model.layers.0.self_attn.k_proj.weight"));
    ASSERT_TRUE(k.isValid());
    EXPECT_EQ(k.parent().data().toString(), QStringLiteral("model.layers.0"));
    EXPECT_EQ(k.data().toString(), QStringLiteral("self_attn.k_proj.weight"));
    EXPECT_EQ(display(model, k, ModelTreeModel::TypeColumn), QStringLiteral("F16"));
    EXPECT_EQ(display(model, k, ModelTreeModel::ShapeColumn), QStringLiteral("128 × 256"));
    EXPECT_EQ(model.index(k.row(), ModelTreeModel::SizeColumn, k.parent()).data(ModelTreeModel::RawValueRole).toULongLong(),
              128u * 256u * 2u);
    EXPECT_EQ(model.index(k.row(), ModelTreeModel::TypeColumn, k.parent()).data(ModelTreeModel::RawValueRole).toUInt(),
              static_cast<uint>(condense::DType::F16));
    const QVariantList shape = model.index(k.row(), ModelTreeModel::ShapeColumn, k.parent()).data(ModelTreeModel::RawValueRole).toList();
    ASSERT_EQ(shape.size(), 2);
    EXPECT_EQ(shape[0].toULongLong(), 128u);
    EXPECT_EQ(shape[1].toULongLong(), 256u);

    const QModelIndex head = findTensor(model, QStringLiteral("lm_head.weight"));
    ASSERT_TRUE(head.isValid());
    EXPECT_EQ(head.parent().data().toString(), QStringLiteral("Output"));
    EXPECT_EQ(display(model, head, ModelTreeModel::ShapeColumn), QStringLiteral("4096 × 256"));
    EXPECT_TRUE(findTensor(model, QStringLiteral("model.norm.weight")).parent() == head.parent());
    EXPECT_EQ(findTensor(model, QStringLiteral("model.embed_tokens.weight")).parent().row(), 0);
}

// Every tensor of llama.cpp's F16 reference file, against the JSON dump of that file that
// came with it (names, types, shapes), and the blk.N grouping.
TEST(ModelTreeModel, GgufTreeMatchesLlamaCppReference)
{
    QFile f(QString::fromStdString((test::tinyLlamaDir() / "reference-gguf" / "tiny-llama-spm-F16.gguf.json").string()));
    ASSERT_TRUE(f.open(QIODevice::ReadOnly));
    const QJsonArray tensors = QJsonDocument::fromJson(f.readAll()).object().value(QStringLiteral("tensors")).toArray();
    ASSERT_EQ(tensors.size(), 57);

    ModelTreeModel model;
    model.setCheckpoint(open(test::referenceGguf("F16")));
    EXPECT_EQ(tensorRows(model), 57);
    ASSERT_TRUE(findGroup(model, QStringLiteral("blk.0")).isValid());
    ASSERT_TRUE(findGroup(model, QStringLiteral("blk.5")).isValid());
    EXPECT_FALSE(findGroup(model, QStringLiteral("blk.6")).isValid());
    for (const QJsonValue& v : tensors) {
        const QJsonObject t = v.toObject();
        const QString name = t.value(QStringLiteral("name")).toString();
        const QModelIndex i = findTensor(model, name);
        ASSERT_TRUE(i.isValid()) << name.toStdString();
        EXPECT_EQ(display(model, i, ModelTreeModel::TypeColumn), t.value(QStringLiteral("type")).toString()) << name.toStdString();
        // The dump lists ggml ne (innermost first); the tree shows outermost first.
        std::vector<std::uint64_t> shape;
        const QJsonArray ne = t.value(QStringLiteral("shape")).toArray();
        for (qsizetype d = ne.size(); d-- > 0;) shape.push_back(static_cast<std::uint64_t>(ne.at(d).toInteger()));
        EXPECT_EQ(display(model, i, ModelTreeModel::ShapeColumn), condense::ui::formatShape(shape)) << name.toStdString();
        if (name.startsWith(QStringLiteral("blk."))) {
            EXPECT_EQ(i.parent().data().toString(), name.section(QLatin1Char('.'), 0, 1));
            EXPECT_EQ(i.data().toString(), name.section(QLatin1Char('.'), 2));
        }
    }
    EXPECT_EQ(findTensor(model, QStringLiteral("token_embd.weight")).parent().data().toString(), QStringLiteral("Token embedding"));
    EXPECT_EQ(findTensor(model, QStringLiteral("output_norm.weight")).parent().data().toString(), QStringLiteral("Output"));
    // Layer groups mix F32 norms and F16 matrices.
    EXPECT_EQ(display(model, findGroup(model, QStringLiteral("blk.0")), ModelTreeModel::TypeColumn), QStringLiteral("mixed"));
}

TEST(NumberFormat, SiUnitsWithOneDecimal)
{
    using namespace condense::ui;
    EXPECT_EQ(formatBytes(512), QStringLiteral("512 B"));
    EXPECT_EQ(formatBytes(65536), QStringLiteral("65.5 kB"));
    EXPECT_EQ(formatBytes(13638144), QStringLiteral("13.6 MB"));
    EXPECT_EQ(formatBytes(4'100'000'000ull), QStringLiteral("4.1 GB"));
    EXPECT_EQ(formatCount(6819072), QStringLiteral("6.8 M"));
    EXPECT_EQ(formatCount(7'241'732'096ull), QStringLiteral("7.2 B"));
    EXPECT_EQ(formatCount(950), QStringLiteral("950"));
    EXPECT_EQ(formatExactCount(6819072), QStringLiteral("6,819,072"));
    EXPECT_EQ(formatShape({4096, 256}), QStringLiteral("4096 × 256"));
    EXPECT_EQ(formatDuration(12'000), QStringLiteral("0:12"));
    EXPECT_EQ(formatDuration(3'723'000), QStringLiteral("1:02:03"));
    EXPECT_EQ(formatPercent(0.634), QStringLiteral("63%"));
}
