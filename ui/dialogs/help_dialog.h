#pragma once
// HelpDialog: the F1 quick help: what Condense does, how to open a model, the keyboard.
// Non-modal: it can stay open beside the main window.
#include <QDialog>

class QTextBrowser;

namespace condense::ui {

class HelpDialog : public QDialog {
    Q_OBJECT
public:
    explicit HelpDialog(QWidget* parent = nullptr);

    static QString helpHtml();

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    QTextBrowser* m_text = nullptr;
};

} // namespace condense::ui
