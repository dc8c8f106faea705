#pragma once
// OutlierListModel: the largest weights of one tensor (TensorAnalysis::top) as a table:
// rank, row, column, value, |w| / std. RawValueRole holds the numbers for sorting and tests.
#include <QAbstractTableModel>

#include <memory>

#include "core/analysis/tensor_analysis.h"

namespace condense::ui {

class OutlierListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { RankColumn, RowColumn, ColumnColumn, ValueColumn, SigmaColumn, ColumnCount };
    static constexpr int RawValueRole = Qt::UserRole + 1;

    explicit OutlierListModel(QObject* parent = nullptr);

    void setAnalysis(std::shared_ptr<const analysis::TensorAnalysis> analysis);
    void retranslate();

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<const analysis::TensorAnalysis> m_analysis;
};

} // namespace condense::ui
