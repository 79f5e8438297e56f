/**
 * commands.html: the FunctionFile the manifest declares. The only button opens the task pane (ShowTaskpane),
 * so there are no commands to register; Outlook still loads this page, which must initialise Office.js.
 */
if (typeof Office !== "undefined") {
  void Office.onReady();
}
