% rebase('base.tpl', title='Alerts')
<h1>Alerts</h1>
<p class="hint">What the box told its owner: open alerts first, then recovered ones and
notices, newest first. One alert per cause until it recovers; raising it again only counts a
repeat. {{'Each is sent to every [alerts] URL.' if urls else 'No [alerts] urls are configured: alerts are only logged and listed here.'}}
Acknowledging says you have seen it; the box still tells of its recovery.</p>
% if notice:
<p class="notice" id="notice">{{notice}}</p>
% end
% if error:
<p class="error" id="error">{{error}}</p>
% end
% if not rows.rows:
<p id="none">No alerts: the box has had nothing to tell.</p>
% else:
<div class="scroll">
<table id="alerts">
<thead><tr><th>No.</th><th>State</th><th>Alert</th><th>Raised</th><th>Recovered</th><th>Delivery</th></tr></thead>
<tbody>
% for alert in rows.rows:
<tr data-id="{{alert.id}}" data-state="{{alert.state}}" class="alert-{{alert.state}}">
  <td>{{alert.id}}</td>
  <td class="alert-state">{{alert.state}}{{' (seen)' if alert.acknowledged else ''}}
    % if not alert.acknowledged:
    <form method="post" action="/admin/alerts/{{alert.id}}/ack" class="inline">
      <input type="hidden" name="csrf_token" value="{{csrf}}">
      <button type="submit">Acknowledge</button>
    </form>
    % end
  </td>
  <td class="alert-text"><strong>{{kind_of(alert.kind).title}}</strong>{{(': ' + about(alert)) if about(alert) else ''}}<br>
    {{alert.message}}<br>
    <span class="advice">What you can do: {{advice_of(alert)}}</span></td>
  <td>{{when(alert.at)}}{{!'<br>' if alert.repeats else ''}}{{('again ' + str(alert.repeats) + '×, last ' + when(alert.last_at)[11:]) if alert.repeats else ''}}</td>
  <td>{{when(alert.recovered_at)}}{{!'<br>' if alert.recovery else ''}}{{alert.recovery}}</td>
  <td class="delivery">{{delivery(alert)}}</td>
</tr>
% end
</tbody>
</table>
</div>
% end
% include('pager.tpl', page=rows, link=link)
