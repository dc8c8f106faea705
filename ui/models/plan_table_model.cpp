#include "ui/models/plan_table_model.h"

#include <QFont>
#include <QFontDatabase>

#include "ui/i18n/message_text.h"
#include "ui/i18n/number_format.h"

namespace condense::ui {

PlanTableModel::PlanTableModel(QObject* parent) : QAbstractTableModel(parent) {}

QStringList PlanTableModel::writableTypes()
{
    return {QStringLiteral("F32"),  QStringLiteral("F16"),  QStringLiteral("BF16"), QStringLiteral("Q8_0"),   QStringLiteral("Q6_K"),
            QStringLiteral("Q5_K"), QStringLiteral("Q5_1"), QStringLiteral("Q5_0"), QStringLiteral("Q4_K"),   QStringLiteral("Q4_1"),
            QStringLiteral("Q4_0"), QStringLiteral("IQ4_NL"), QStringLiteral("IQ4_XS"), QStringLiteral("Q3_K"), QStringLiteral("Q2_K")};
}

void PlanTableModel::setPlan(plan::QuantPlan plan, QSet<QString> edited)
{
    beginResetModel();
    m_plan = std::move(plan);
    m_edited = std::move(edited);
    endResetModel();
}

void PlanTableModel::clear() { setPlan({}, {}); }

void PlanTableModel::retranslate()
{
    Q_EMIT headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
    if (rowCount() > 0) Q_EMIT dataChanged(index(0, ReasonColumn), index(rowCount() - 1, ReasonColumn));
}

int PlanTableModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : static_cast<int>(m_plan.tensors.size()); }

int PlanTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

Qt::ItemFlags PlanTableModel::flags(const QModelIndex& index) const
{
    if (!index.isValid()) return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
    const auto& t = m_plan.tensors[static_cast<std::size_t>(index.row())];
    if (index.column() == TypeColumn && !t.group) f |= Qt::ItemIsEditable;
    return f;
}

QVariant PlanTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= ColumnCount) return {};
    const plan::TensorPlan& t = m_plan.tensors[static_cast<std::size_t>(index.row())];
    const QString name = QString::fromStdString(t.name);
    std::vector<std::uint64_t> shape(t.ne.rbegin(), t.ne.rend()); // outermost first, as everywhere in the window
    const QString type = t.group ? tr("%1-bit, groups of %2").arg(t.group->bits).arg(t.group->groupSize)
                                 : QString::fromLatin1(dtypeName(t.type));
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TensorColumn: return name;
        case ShapeColumn: return formatShape(shape);
        case TypeColumn: return t.fallback ? tr("%1 (fallback)").arg(type) : type;
        case BytesColumn: return formatBytes(t.bytes());
        case ReasonColumn: return MessageText::text(t.reason);
        }
        break;
    case Qt::EditRole:
        if (index.column() == TypeColumn) return type;
        break;
    case Qt::ToolTipRole:
        switch (index.column()) {
        case TensorColumn: return name;
        case TypeColumn:
            return m_edited.contains(name) ? tr("Chosen by you; double-click to change") : tr("Double-click to choose another type");
        case BytesColumn: return tr("%1 bytes").arg(formatExactCount(t.bytes()));
        case ReasonColumn: return MessageText::text(t.reason);
        }
        break;
    case Qt::FontRole: {
        QFont f = index.column() == TensorColumn ? QFontDatabase::systemFont(QFontDatabase::FixedFont) : QFont();
        if (m_edited.contains(name)) f.setBold(true);
        return f;
    }
    case Qt::TextAlignmentRole:
        if (index.column() == BytesColumn) return static_cast<int>(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case RawValueRole:
        switch (index.column()) {
        case TensorColumn: return name;
        case ShapeColumn: return QVariant::fromValue<qulonglong>(t.elements());
        case TypeColumn: return static_cast<uint>(t.type);
        case BytesColumn: return QVariant::fromValue<qulonglong>(t.bytes());
        case ReasonColumn: return static_cast<int>(t.reason.code);
        }
        break;
    default: break;
    }
    return {};
}

bool PlanTableModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    if (role != Qt::EditRole || !index.isValid() || index.column() != TypeColumn) return false;
    const QString type = value.toString().trimmed().toUpper();
    if (!writableTypes().contains(type)) return false;
    const auto& t = m_plan.tensors[static_cast<std::size_t>(index.row())];
    if (!t.group && QString::fromLatin1(dtypeName(t.type)) == type && !t.fallback) return false;
    Q_EMIT typeEdited(QString::fromStdString(t.name), type);
    return true;
}

QVariant PlanTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case TensorColumn: return tr("Tensor");
    case ShapeColumn: return tr("Shape");
    case TypeColumn: return tr("Type");
    case BytesColumn: return tr("Size");
    case ReasonColumn: return tr("Why");
    default: return {};
    }
}

} // namespace condense::ui
