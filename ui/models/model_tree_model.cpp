#include "ui/models/model_tree_model.h"

#include <QColor>
#include <QFontDatabase>
#include <QVariantList>

#include <map>

#include "core/io/checkpoint.h"
#include "ui/i18n/number_format.h"
#include "ui/i18n/statistic_text.h"

namespace condense::ui {

namespace {
// internalId of an index: 0 for group rows, group row + 1 for tensor rows.
constexpr quintptr kGroupId = 0;
} // namespace

ModelTreeModel::ModelTreeModel(QObject* parent) : QAbstractItemModel(parent) {}

ModelTreeModel::~ModelTreeModel() = default;

void ModelTreeModel::setCheckpoint(std::shared_ptr<const io::Checkpoint> checkpoint)
{
    beginResetModel();
    m_checkpoint = std::move(checkpoint);
    m_groups.clear();
    if (m_checkpoint) {
        std::map<TensorGroupKey, std::size_t> byKey;
        const auto& tensors = m_checkpoint->tensors();
        for (std::size_t i = 0; i < tensors.size(); ++i) {
            const TensorGroupKey key = tensorGroupOf(tensors[i].name);
            auto [it, inserted] = byKey.emplace(key, m_groups.size());
            if (inserted) m_groups.push_back(Group{key, {}, 0, static_cast<int>(tensors[i].dtype)});
            Group& g = m_groups[it->second];
            g.tensors.push_back(static_cast<int>(i));
            g.bytes += tensors[i].bytes;
            if (g.uniformType != static_cast<int>(tensors[i].dtype)) g.uniformType = -1;
        }
        // Tree order (embedding, layers by index, output, other) regardless of file order.
        std::vector<Group> ordered;
        ordered.reserve(m_groups.size());
        for (const auto& [key, pos] : byKey) ordered.push_back(std::move(m_groups[pos]));
        m_groups = std::move(ordered);
        m_position.assign(tensors.size(), {-1, -1});
        for (std::size_t g = 0; g < m_groups.size(); ++g)
            for (std::size_t r = 0; r < m_groups[g].tensors.size(); ++r)
                m_position[static_cast<std::size_t>(m_groups[g].tensors[r])] = {static_cast<int>(g), static_cast<int>(r)};
    } else {
        m_position.clear();
    }
    endResetModel();
}

void ModelTreeModel::setAnalysisStore(const AnalysisStore* store)
{
    if (m_store) disconnect(m_store, nullptr, this, nullptr);
    m_store = store;
    if (m_store) {
        connect(m_store, &AnalysisStore::tensorsAnalyzed, this, [this](const QList<int>& indices) {
            // Many at once (a cached model): one change for the whole tree.
            if (indices.size() > 16) allAnalysisChanged();
            else
                for (int i : indices) analysisChanged(i);
        });
        connect(m_store, &AnalysisStore::reset, this, &ModelTreeModel::allAnalysisChanged);
    }
    allAnalysisChanged();
}

void ModelTreeModel::setStatistic(TensorStatistic statistic)
{
    if (m_statistic == statistic) return;
    m_statistic = statistic;
    Q_EMIT headerDataChanged(Qt::Horizontal, StatisticColumn, StatisticColumn);
    allAnalysisChanged();
}

void ModelTreeModel::analysisChanged(int tensorIndex)
{
    if (tensorIndex < 0 || tensorIndex >= static_cast<int>(m_position.size())) return;
    const auto [g, r] = m_position[static_cast<std::size_t>(tensorIndex)];
    if (g < 0) return;
    const QModelIndex group = createIndex(g, 0, kGroupId);
    Q_EMIT dataChanged(createIndex(g, StatisticColumn, kGroupId), createIndex(g, ErrorColumn, kGroupId));
    Q_EMIT dataChanged(index(r, StatisticColumn, group), index(r, ErrorColumn, group));
}

void ModelTreeModel::allAnalysisChanged()
{
    if (m_groups.empty()) return;
    Q_EMIT headerDataChanged(Qt::Horizontal, StatisticColumn, ErrorColumn);
    const int n = static_cast<int>(m_groups.size());
    if (n == 0) return;
    Q_EMIT dataChanged(index(0, StatisticColumn), index(n - 1, ErrorColumn));
    for (int g = 0; g < n; ++g) {
        const QModelIndex group = index(g, 0);
        const int rows = rowCount(group);
        if (rows > 0) Q_EMIT dataChanged(index(0, StatisticColumn, group), index(rows - 1, ErrorColumn, group));
    }
}

QVariant ModelTreeModel::analysisData(int tensorIndex, int column, int role) const
{
    if (!m_store) return {};
    const TensorStatistic statistic = column == ErrorColumn ? TensorStatistic::PreviewError : m_statistic;
    const bool pending = m_store->isPending(tensorIndex) || (statistic == TensorStatistic::PreviewError && m_store->isPreviewPending(tensorIndex));
    const auto a = m_store->analysis(tensorIndex);
    const std::optional<double> v = pending ? std::nullopt : m_store->value(tensorIndex, statistic);
    switch (role) {
    case Qt::DisplayRole:
        if (pending) return m_store->state() == AnalysisStore::State::Running ? QStringLiteral("…") : QString();
        if (a && a->error) return column == StatisticColumn ? tr("unreadable") : QString();
        if (v) return formatStatistic(statistic, *v);
        return QStringLiteral("–");
    case Qt::ToolTipRole:
        if (pending) return tr("Analysis pending");
        if (a && a->error) return tr("This tensor could not be read: %1").arg(QString::fromStdString(a->error->detail));
        if (a && a->stats.hasNonFinite())
            return tr("Contains %1 NaN and %2 infinite values").arg(formatExactCount(a->stats.nan), formatExactCount(a->stats.inf));
        if (column == ErrorColumn && a && a->preview)
            return tr("%1: relative RMSE %2, SNR %3 dB, max error %4")
                .arg(QString::fromLatin1(dtypeName(a->preview->type)), formatStatistic(TensorStatistic::PreviewError, a->preview->sums.relRmse()),
                     formatSignificant(a->preview->sums.snrDb(), 3), formatSignificant(a->preview->sums.maxAbsError, 3));
        return statisticDescription(statistic);
    case Qt::ForegroundRole:
        if (a && (a->error || a->stats.hasNonFinite())) return QColor(0xc0, 0x20, 0x20);
        break;
    case Qt::TextAlignmentRole: return static_cast<int>(Qt::AlignRight | Qt::AlignVCenter);
    case RawValueRole: return v ? QVariant(*v) : QVariant();
    default: break;
    }
    return {};
}

QVariant ModelTreeModel::groupAnalysisData(const Group& g, int column, int role) const
{
    if (!m_store) return {};
    std::optional<double> v;
    bool pending = false;
    if (column == StatisticColumn) {
        for (int t : g.tensors) {
            pending = pending || m_store->isPending(t);
            const auto x = m_store->value(t, m_statistic);
            if (x && (!v || *x > *v)) v = x;
        }
    } else {
        analysis::PreviewSums sums;
        bool any = false;
        for (int t : g.tensors) {
            pending = pending || m_store->isPreviewPending(t);
            const auto a = m_store->analysis(t);
            if (a && a->preview && !m_store->isPreviewPending(t)) {
                sums.add(a->preview->sums);
                any = true;
            }
        }
        if (any) v = sums.relRmse();
    }
    const TensorStatistic statistic = column == ErrorColumn ? TensorStatistic::PreviewError : m_statistic;
    switch (role) {
    case Qt::DisplayRole:
        if (!v) return pending && m_store->state() == AnalysisStore::State::Running ? QStringLiteral("…") : QString();
        return formatStatistic(statistic, *v);
    case Qt::ToolTipRole:
        return column == ErrorColumn ? tr("Preview error of the group's tensors together") : tr("Largest value in the group");
    case Qt::TextAlignmentRole: return static_cast<int>(Qt::AlignRight | Qt::AlignVCenter);
    case RawValueRole: return v ? QVariant(*v) : QVariant();
    default: break;
    }
    return {};
}

int ModelTreeModel::tensorCount() const { return m_checkpoint ? static_cast<int>(m_checkpoint->tensors().size()) : 0; }

QModelIndex ModelTreeModel::indexOfTensor(int tensorIndex) const
{
    for (std::size_t g = 0; g < m_groups.size(); ++g) {
        const auto& ts = m_groups[g].tensors;
        for (std::size_t r = 0; r < ts.size(); ++r)
            if (ts[r] == tensorIndex) return createIndex(static_cast<int>(r), 0, static_cast<quintptr>(g + 1));
    }
    return {};
}

void ModelTreeModel::retranslate()
{
    Q_EMIT headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
    if (!m_groups.empty())
        Q_EMIT dataChanged(index(0, 0), index(static_cast<int>(m_groups.size()) - 1, ColumnCount - 1));
}

QModelIndex ModelTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount) return {};
    if (!parent.isValid()) {
        if (row >= static_cast<int>(m_groups.size())) return {};
        return createIndex(row, column, kGroupId);
    }
    if (parent.internalId() != kGroupId || parent.column() != 0) return {};
    const int g = parent.row();
    if (g < 0 || g >= static_cast<int>(m_groups.size())) return {};
    if (row >= static_cast<int>(m_groups[static_cast<std::size_t>(g)].tensors.size())) return {};
    return createIndex(row, column, static_cast<quintptr>(g + 1));
}

QModelIndex ModelTreeModel::parent(const QModelIndex& child) const
{
    if (!child.isValid() || child.internalId() == kGroupId) return {};
    return createIndex(static_cast<int>(child.internalId() - 1), 0, kGroupId);
}

int ModelTreeModel::rowCount(const QModelIndex& parent) const
{
    if (!parent.isValid()) return static_cast<int>(m_groups.size());
    if (parent.internalId() != kGroupId || parent.column() != 0) return 0;
    return static_cast<int>(m_groups[static_cast<std::size_t>(parent.row())].tensors.size());
}

int ModelTreeModel::columnCount(const QModelIndex&) const { return ColumnCount; }

Qt::ItemFlags ModelTreeModel::flags(const QModelIndex& index) const
{
    if (!index.isValid()) return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (index.internalId() != kGroupId) f |= Qt::ItemNeverHasChildren;
    return f;
}

QString ModelTreeModel::groupLabel(const Group& g) const
{
    switch (g.key.kind) {
    case TensorGroupKind::Embedding: return tr("Token embedding");
    case TensorGroupKind::Layer: return g.key.prefix;
    case TensorGroupKind::Output: return tr("Output");
    case TensorGroupKind::Other: return tr("Other");
    }
    return QString();
}

QVariant ModelTreeModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || !m_checkpoint) return {};
    if (index.internalId() == kGroupId) return groupData(index.row(), index.column(), role);
    const auto g = static_cast<std::size_t>(index.internalId() - 1);
    if (g >= m_groups.size()) return {};
    return tensorData(m_groups[g], index.row(), index.column(), role);
}

QVariant ModelTreeModel::groupData(int row, int column, int role) const
{
    if (row < 0 || row >= static_cast<int>(m_groups.size())) return {};
    const Group& g = m_groups[static_cast<std::size_t>(row)];
    const int count = static_cast<int>(g.tensors.size());
    if ((column == StatisticColumn || column == ErrorColumn) && role != TensorIndexRole && role != FullNameRole && role != GroupKindRole)
        return groupAnalysisData(g, column, role);
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case NameColumn: return groupLabel(g);
        case TypeColumn:
            return g.uniformType >= 0 ? QString::fromLatin1(dtypeName(static_cast<DType>(g.uniformType))) : tr("mixed");
        case ShapeColumn:
            // Groups are never empty, and for n >= 1 English, German, French and Chinese need
            // only these two forms; languages with more plural forms will need %n numerus.
            return count == 1 ? tr("1 tensor") : tr("%1 tensors").arg(count);
        case SizeColumn: return formatBytes(g.bytes);
        }
        break;
    case Qt::ToolTipRole:
        if (column == SizeColumn) return tr("%1 bytes").arg(formatExactCount(g.bytes));
        return groupLabel(g);
    case Qt::FontRole:
        if (column == NameColumn && g.key.kind == TensorGroupKind::Layer) return QFontDatabase::systemFont(QFontDatabase::FixedFont);
        break;
    case Qt::TextAlignmentRole:
        if (column == SizeColumn) return static_cast<int>(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case RawValueRole:
        switch (column) {
        case NameColumn: return row;
        case TypeColumn: return g.uniformType >= 0 ? QVariant(static_cast<uint>(g.uniformType)) : QVariant();
        case ShapeColumn: return count;
        case SizeColumn: return QVariant::fromValue<qulonglong>(g.bytes);
        }
        break;
    case TensorIndexRole: return -1;
    case FullNameRole: return groupLabel(g);
    case GroupKindRole: return static_cast<int>(g.key.kind);
    default: break;
    }
    return {};
}

QVariant ModelTreeModel::tensorData(const Group& g, int row, int column, int role) const
{
    if (row < 0 || row >= static_cast<int>(g.tensors.size())) return {};
    const int tensorIndex = g.tensors[static_cast<std::size_t>(row)];
    const io::TensorEntry& t = m_checkpoint->tensors()[static_cast<std::size_t>(tensorIndex)];
    const QString fullName = QString::fromStdString(t.name);
    if (column == StatisticColumn || column == ErrorColumn) {
        if (role == TensorIndexRole || role == FullNameRole || role == GroupKindRole) column = NameColumn;
        else return analysisData(tensorIndex, column, role);
    }
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case NameColumn:
            // Inside a layer the prefix is the group's label; show what follows it.
            if (g.key.kind == TensorGroupKind::Layer && fullName.size() > g.key.prefix.size() + 1)
                return fullName.mid(g.key.prefix.size() + 1);
            return fullName;
        case TypeColumn: return QString::fromLatin1(dtypeName(t.dtype));
        case ShapeColumn: return formatShape(t.shape);
        case SizeColumn: return formatBytes(t.bytes);
        }
        break;
    case Qt::ToolTipRole:
        if (column == SizeColumn) return tr("%1 bytes").arg(formatExactCount(t.bytes));
        if (column == ShapeColumn) return tr("%1 elements").arg(formatExactCount(t.elements()));
        return QString(fullName + QLatin1Char('\n') + formatShape(t.shape));
    case Qt::FontRole:
        if (column == NameColumn) return QFontDatabase::systemFont(QFontDatabase::FixedFont);
        break;
    case Qt::TextAlignmentRole:
        if (column == SizeColumn) return static_cast<int>(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case RawValueRole:
        switch (column) {
        case NameColumn: return fullName;
        case TypeColumn: return static_cast<uint>(t.dtype);
        case ShapeColumn: {
            QVariantList shape;
            for (auto d : t.shape) shape << QVariant::fromValue<qulonglong>(d);
            return shape;
        }
        case SizeColumn: return QVariant::fromValue<qulonglong>(t.bytes);
        }
        break;
    case TensorIndexRole: return tensorIndex;
    case FullNameRole: return fullName;
    case GroupKindRole: return static_cast<int>(g.key.kind);
    default: break;
    }
    return {};
}

QVariant ModelTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal) return {};
    if (role == Qt::ToolTipRole) {
        if (section == StatisticColumn) return statisticDescription(m_statistic);
        if (section == ErrorColumn) return statisticDescription(TensorStatistic::PreviewError);
        return {};
    }
    if (role != Qt::DisplayRole) return {};
    switch (section) {
    case NameColumn: return tr("Name");
    case TypeColumn: return tr("Type");
    case ShapeColumn: return tr("Shape");
    case SizeColumn: return tr("Size");
    case StatisticColumn: return statisticName(m_statistic);
    case ErrorColumn:
        return m_store && !m_store->previewLabel().isEmpty() ? m_store->previewLabel() : tr("Error");
    default: return {};
    }
}

} // namespace condense::ui
