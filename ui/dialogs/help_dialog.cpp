#include "ui/dialogs/help_dialog.h"

#include <QDialogButtonBox>
#include <QEvent>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace condense::ui {

HelpDialog::HelpDialog(QWidget* parent) : QDialog(parent)
{
    setObjectName(QStringLiteral("helpDialog"));
    m_text = new QTextBrowser(this);
    m_text->setOpenExternalLinks(false);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_text);
    layout->addWidget(buttons);
    resize(560, 480);
    retranslate();
}

QString HelpDialog::helpHtml()
{
    return tr("<h3>Condense quick help</h3>"
              "<p>Condense shows what is inside a local language model and, in coming versions, "
              "quantizes it and measures what the quantization cost.</p>"
              "<h4>Open a model</h4>"
              "<ul><li>Drop a Hugging Face model folder (config.json and .safetensors files), a single "
              ".safetensors file or a .gguf file onto the window.</li>"
              "<li>Or use File ▸ Open File… (Ctrl+O) or File ▸ Open Folder… (Ctrl+Shift+O).</li>"
              "<li>“Try the demo model” opens tiny-llama-spm, a small model that comes with Condense.</li>"
              "<li>PyTorch .bin and .pt files are refused: they can run code when loaded. Convert them to "
              "safetensors first.</li></ul>"
              "<h4>After opening</h4>"
              "<p>The left panel shows the model summary and its tensors grouped by layer; type in the filter "
              "box to find tensors by name. Select a tensor to see its details on the Inspect page.</p>"
              "<h4>Keyboard</h4>"
              "<table><tr><td>Ctrl+O</td><td>Open a file</td></tr>"
              "<tr><td>Ctrl+Shift+O</td><td>Open a folder</td></tr>"
              "<tr><td>Esc</td><td>Cancel the focused job</td></tr>"
              "<tr><td>F1</td><td>This help</td></tr>"
              "<tr><td>Ctrl+Q</td><td>Quit</td></tr></table>");
}

void HelpDialog::retranslate()
{
    setWindowTitle(tr("Condense Help"));
    m_text->setHtml(helpHtml());
}

void HelpDialog::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) retranslate();
    QDialog::changeEvent(event);
}

} // namespace condense::ui
