import { expect, type Locator, type Page } from '@playwright/test';

export type NodeStatus = 'ok' | 'P1' | 'P2' | 'P3' | 'unknown';

/**
 * The clusters list, a cluster's overview and its node view, as an admin uses them.
 * Scenario specs (real sshd, lab clusters) drive the views through this and assert on
 * what it returns, so a layout change is fixed here once.
 */
export class InspectPage {
  constructor(readonly page: Page) {}

  // The clusters list

  clusterRow(cluster: string): Locator {
    return this.page.locator(`[data-testid="cluster-row"][data-cluster="${cluster}"]`);
  }

  healthSummary(cluster: string): Locator {
    return this.clusterRow(cluster).getByTestId('health-summary');
  }

  async gotoClusters(url: string): Promise<void> {
    // Opening the same URL again only changes the fragment (no reload): go through the sidebar too.
    await this.page.goto(url);
    await this.page.getByTestId('nav-clusters').click();
    await expect(this.page.getByTestId('page-clusters')).toBeVisible();
  }

  async openCluster(cluster: string): Promise<void> {
    await this.clusterRow(cluster).getByTestId('open-cluster').click();
    await expect(this.overview).toHaveAttribute('data-cluster', cluster);
  }

  async backToClusters(): Promise<void> {
    await this.page.getByTestId('back-to-clusters').click();
    await expect(this.page.getByTestId('cluster-list')).toBeVisible();
  }

  // The overview

  get overview(): Locator {
    return this.page.getByTestId('inspect-page');
  }

  get refreshButton(): Locator {
    return this.overview.getByTestId('refresh-button');
  }

  get lastRound(): Locator {
    return this.overview.getByTestId('last-round');
  }

  get nodeListbox(): Locator {
    return this.overview.getByTestId('node-listbox');
  }

  get search(): Locator {
    return this.overview.getByTestId('node-search');
  }

  /** Runs a round now and waits until it has been drawn (the button is usable again, a round age is shown). */
  async refresh(): Promise<void> {
    await this.refreshButton.click();
    await expect(this.refreshButton).toBeEnabled({ timeout: 45_000 });
    await expect(this.lastRound.getByTestId('round-age')).toBeVisible();
  }

  node(host: string): Locator {
    return this.overview.locator(`[data-testid="node-row"][data-host="${host}"]`);
  }

  /** Host names of the rendered node rows, top to bottom (only rows in view exist: the list is virtualised). */
  async visibleNodes(): Promise<string[]> {
    return this.overview.getByTestId('node-row').evaluateAll((rows) =>
      rows
        .map((row) => ({ name: row.getAttribute('data-host') ?? '', top: row.getBoundingClientRect().top }))
        .sort((a, b) => a.top - b.top)
        .map((row) => row.name),
    );
  }

  /** The role groups shown, top to bottom (data stores, load balancer, app nodes, side services, other). */
  async groups(): Promise<string[]> {
    return this.overview.getByTestId('node-group').evaluateAll((rows) =>
      rows
        .map((row) => ({ category: row.getAttribute('data-category') ?? '', top: row.getBoundingClientRect().top }))
        .sort((a, b) => a.top - b.top)
        .map((row) => row.category),
    );
  }

  async expectNodeStatus(host: string, status: NodeStatus): Promise<void> {
    await expect(this.node(host)).toHaveAttribute('data-status', status);
  }

  activeNode(): Locator {
    return this.overview.locator('[data-testid="node-row"][aria-selected="true"]');
  }

  // Findings

  get findings(): Locator {
    return this.page.getByTestId('finding');
  }

  finding(ruleId: string): Locator {
    return this.page.locator(`[data-testid="finding"][data-rule="${ruleId}"]`);
  }

  async findingSeverities(): Promise<string[]> {
    return this.overview.getByTestId('findings-panel').getByTestId('finding').evaluateAll((cards) => cards.map((card) => card.getAttribute('data-severity') ?? ''));
  }

  /** Opens the evidence of a finding and returns its text. */
  async evidenceOf(finding: Locator): Promise<string> {
    const evidence = finding.getByTestId('finding-evidence');
    await evidence.locator('summary').click();
    return (await evidence.locator('pre').textContent()) ?? '';
  }

  // The node view

  get nodeView(): Locator {
    return this.page.getByTestId('node-view');
  }

  async openNode(host: string): Promise<void> {
    await this.node(host).click();
    await expect(this.nodeView).toHaveAttribute('data-host', host);
  }

  fact(probe: string): Locator {
    return this.nodeView.locator(`[data-testid="fact"][data-probe="${probe}"]`);
  }

  rawOutput(probe: string): Locator {
    return this.nodeView.locator(`[data-testid="raw-output"][data-probe="${probe}"]`);
  }

  /**
   * Saves `e2e/artifacts/inspect-NAME.png`. `whole` grows the window to the page's full
   * height first (the app scrolls inside <main>, which a full-page screenshot does not see).
   */
  async screenshot(name: string, options: { whole?: boolean } = {}): Promise<void> {
    const path = `e2e/artifacts/inspect-${name}.png`;
    const viewport = this.page.viewportSize();
    if (!options.whole || !viewport) {
      await this.page.screenshot({ path });
      return;
    }
    const height = await this.page.locator('main').evaluate((main) => main.scrollHeight);
    await this.page.setViewportSize({ width: viewport.width, height: Math.min(6000, Math.max(viewport.height, height)) });
    await this.page.screenshot({ path });
    await this.page.setViewportSize(viewport);
  }

  async backToCluster(): Promise<void> {
    await this.nodeView.getByTestId('back-to-cluster').click();
    await expect(this.overview).toBeVisible();
  }
}
