% rebase('base.tpl', title=_('Dashboard'))
% day, month = figures['last_24_hours'], figures['last_30_days']
<link rel="stylesheet" href="/static/dashboard.css">
<h1>{{_("Dashboard")}}</h1>
<div id="dashboard" data-refresh="{{refresh}}" data-charts="{{'on' if charts else 'off'}}">
<p class="hint" id="dashboard-status">{{_("Refreshed every {seconds} seconds.").format(seconds='%g' % refresh)}} {{_("Updated {time}.").format(time=clock(figures['now']))}}
% if not charts:
<strong id="charts-off">{{_("Charts are off: Chart.js is not installed on this box (Debian package libjs-chart.js); every figure is in the tables below.")}}</strong>
% end
</p>
<dl class="figures" id="figures-today">
  <div><dt>{{_("Calls, last 24 hours")}}</dt><dd id="calls-24h">{{day['calls']}}</dd></div>
  <div><dt>{{_("Billed minutes, last 24 hours")}}</dt><dd id="minutes-24h">{{figure(day['minutes'])}}</dd></div>
  <div><dt>{{_("Answer rate, last 24 hours")}}</dt><dd id="answer-rate-24h">{{'%s %%' % figure(day['answer_rate']) if day['answer_rate'] is not None else '–'}}</dd></div>
  <div><dt>{{_("Revenue, last 24 hours")}}</dt><dd id="revenue-24h">{{money(day['revenue'])}}</dd></div>
  <div><dt>{{_("Revenue, last 30 days")}}</dt><dd id="revenue-30d">{{money(month['revenue'])}}</dd></div>
  <div><dt>{{_("Answer rate, last 30 days")}}</dt><dd id="answer-rate-30d">{{'%s %%' % figure(month['answer_rate']) if month['answer_rate'] is not None else '–'}}</dd></div>
  <div><dt>{{_("Modems up")}}</dt><dd id="modems-up"><a href="/admin/modems">{{figures['modems_up']}} / {{len(figures['modems'])}}</a></dd></div>
  <div><dt>{{_("Open alerts")}}</dt><dd id="alerts-open"><a href="/admin/alerts">{{figures['open_alerts']}}</a></dd></div>
</dl>
% for key, title, rows in (('hours', _("Calls and billed minutes per hour, last 24 hours"), figures['hours']), ('days', _("Calls and billed minutes per day, last 30 days"), figures['days'])):
<section class="card chart-card" id="chart-{{key}}">
  <h2>{{title}}</h2>
  % if charts:
  <div class="chart"><canvas id="canvas-{{key}}" role="img" aria-label="{{title}}" data-calls="{{_('Calls')}}" data-minutes="{{_('Billed minutes')}}"></canvas></div>
  % end
  <details{{'' if charts else ' open'}}>
    <summary>{{_("The figures as a table")}}</summary>
    <div class="scroll">
    <table id="table-{{key}}">
      <thead><tr><th scope="col">{{_("Hour") if key == 'hours' else _("Day")}}</th><th scope="col">{{_("Calls")}}</th><th scope="col">{{_("Billed minutes")}}</th><th scope="col">{{_("Legs answered")}}</th><th scope="col">{{_("Revenue")}}</th></tr></thead>
      <tbody>
      % for row in rows:
        <tr><th scope="row">{{row['label']}}</th><td>{{row['calls']}}</td><td>{{figure(row['minutes'])}}</td><td>{{row['answered']}} / {{row['legs']}}</td><td>{{money(row['revenue'])}}</td></tr>
      % end
      </tbody>
    </table>
    </div>
  </details>
</section>
% end
<section class="card" id="sims">
  <h2>{{_("SIMs: minutes against their limits, and credit")}}</h2>
  % if not figures['sims']:
  <p>{{_("No SIM has been read in this box's modems yet.")}}</p>
  % else:
  <div class="scroll">
  <table class="sim-table">
    <thead><tr><th scope="col">{{_("Modem")}}</th><th scope="col">{{_("SIM")}}</th><th scope="col">{{_("Minutes today")}}</th><th scope="col">{{_("Minutes this month")}}</th><th scope="col">{{_("Credit")}}</th></tr></thead>
    <tbody>
    % for sim in figures['sims']:
      <tr data-iccid="{{sim['iccid']}}"{{!' class="at-limit"' if sim['at_limit'] else ''}}>
        <th scope="row">{{sim['modem']}}</th><td data-label="{{_('SIM')}}">{{sim['iccid']}}</td>
        % for label, used, limit in ((_("Minutes today"), sim['minutes_today'], sim['max_minutes_per_day']), (_("Minutes this month"), sim['minutes_month'], sim['max_minutes_per_month'])):
        <td data-label="{{label}}">{{used}}{{(' / %d' % limit) if limit else ''}}
          % if limit:
          <meter min="0" max="{{limit}}" value="{{min(used, limit)}}" high="{{limit * 0.8}}" title="{{used}} / {{limit}}">{{used}} / {{limit}}</meter>
          % end
        </td>
        % end
        <td data-label="{{_('Credit')}}">{{money(sim['balance']) if sim['balance'] is not None else _('not read yet')}}{{(' · ' + when(sim['balance_at'], False)) if sim['balance_at'] else ''}}</td>
      </tr>
    % end
    </tbody>
  </table>
  </div>
  % end
</section>
<section class="card" id="modems">
  <h2>{{_("Modems")}}</h2>
  % if not figures['modems']:
  <p>{{_("No modem has reported yet.")}}</p>
  % else:
  <ul class="modem-states">
  % for modem in figures['modems']:
    <li data-state="{{modem['state']}}"><strong>{{modem['name']}}</strong> {{said(modem['state'])}}{{(': ' + said(modem['reason'])) if modem['reason'] and not modem['up'] else ''}}</li>
  % end
  </ul>
  % end
</section>
<script type="application/json" id="figures-data">{{!data}}</script>
</div>
% if charts:
<script src="/static/chart.js"></script>
% end
<script src="/static/dashboard.js"></script>
