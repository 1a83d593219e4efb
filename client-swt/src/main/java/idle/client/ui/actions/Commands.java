package idle.client.ui.actions;

/** Everything the menus, tool bar and keyboard can ask the workbench to do. UI thread only. */
public interface Commands {
    void logIn();

    void logOut();

    void addScripts();

    void submit();

    void cancelSelected();

    void rerunSelected();

    void openSelected();

    void refreshHistory();

    void saveOutput();

    void find();

    void closeTab();

    void nextTab();

    void previousTab();

    void showView(int index);

    void setLending(boolean on);

    void about();

    void quit();
}
