#include "ui/models/outlier_list_model.h"

#include <QFontDatabase>

#include <cmath>

#include "ui/i18n/statistic_text.h"

namespace condense::ui {

OutlierListModel::OutlierListModel(QObject* parent) : QAbstractTableModel(parent) {}

void OutlierListModel::setAnalysis(std::shared_ptr<const analysis::TensorAnalysis> analysis)
{
    beginResetModel();
    m_analysis = std::move(analysis);
    if (m_analysis && m_analysis->error) m_analysis.reset();
    endResetModel();
}

void OutlierListModel::retranslate() { Q_EMIT headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1); }

int OutlierListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !m_analysis ? 0 : static_cast<int>(m_analysis->top.size());
}

int OutlierListModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant OutlierListModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || !m_analysis || index.row() >= rowCount() || index.column() >= ColumnCount) return {};
    const analysis::Outlier& o = m_analysis->top[static_cast<std::size_t>(index.row())];
    const double std = m_analysis->stats.std;
    const double sigma = std > 0 ? std::fabs(static_cast<double>(o.value) - m_analysis->stats.mean) / std : 0.0;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case RankColumn: return index.row() + 1;
        case RowColumn: return QString::number(o.row);
        case ColumnColumn: return QString::number(o.col);
        case ValueColumn: return formatSignificant(o.value);
        case SigmaColumn: return std > 0 ? formatSignificant(sigma, 3) + QStringLiteral(" σ") : QStringLiteral("–");
        }
        break;
    case RawValueRole:
        switch (index.column()) {
        case RankColumn: return index.row() + 1;
        case RowColumn: return QVariant::fromValue<qulonglong>(o.row);
        case ColumnColumn: return QVariant::fromValue<qulonglong>(o.col);
        case ValueColumn: return static_cast<double>(o.value);
        case SigmaColumn: return sigma;
        }
        break;
    case Qt::TextAlignmentRole: return static_cast<int>(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::FontRole:
        if (index.column() == ValueColumn) return QFontDatabase::systemFont(QFontDatabase::FixedFont);
        break;
    default: break;
    }
    return {};
}

QVariant OutlierListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case RankColumn: return tr("#");
    case RowColumn: return tr("Row");
    case ColumnColumn: return tr("Column");
    case ValueColumn: return tr("Value");
    case SigmaColumn: return tr("From mean");
    default: return {};
    }
}

} // namespace condense::ui
