#pragma once
// Names and number formats of the tensor statistics (AnalysisStore's TensorStatistic) as the
// tree, the heatmap and the Inspect page show them.
#include <QString>

#include "ui/models/analysis_store.h"

namespace condense::ui {

QString statisticName(TensorStatistic statistic);        // "Kurtosis", "Outlier share (>3σ)", ...
QString statisticDescription(TensorStatistic statistic); // one sentence for tooltips
QString formatStatistic(TensorStatistic statistic, double value); // "3.14", "0.81%", ...
// A number with 3-4 significant digits in the default locale ("0.07314", "1.04e-05").
QString formatSignificant(double value, int digits = 4);

} // namespace condense::ui
