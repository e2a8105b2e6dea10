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
<thead><tr><th>No.</th><th>State</th><th>What</th><th>About</th><th>What happened</th>
<th>What you can do</th><th>Repeats</th><th>Raised</th><th>Recovered</th><th>Delivery</th><th></th></tr></thead>
<tbody>
% for alert in rows.rows:
<tr data-id="{{alert.id}}" data-state="{{alert.state}}" class="alert-{{alert.state}}">
  <td>{{alert.id}}</td>
  <td class="alert-state">{{alert.state}}{{' (seen)' if alert.acknowledged else ''}}</td>
  <td>{{kind_of(alert.kind).title}}</td>
  <td>{{about(alert)}}</td>
  <td>{{alert.message}}</td>
  <td class="advice">{{advice_of(alert)}}</td>
  <td>{{alert.repeats}}{{(', last ' + when(alert.last_at)) if alert.last_at else ''}}</td>
  <td>{{when(alert.at)}}</td>
  <td>{{when(alert.recovered_at)}}{{(': ' + alert.recovery) if alert.recovery else ''}}</td>
  <td class="delivery">{{delivery(alert)}}</td>
  <td>
    % if not alert.acknowledged:
    <form method="post" action="/admin/alerts/{{alert.id}}/ack" class="inline">
      <input type="hidden" name="csrf_token" value="{{csrf}}">
      <button type="submit">Acknowledge</button>
    </form>
    % end
  </td>
</tr>
% end
</tbody>
</table>
</div>
% end
% include('pager.tpl', page=rows, link=link)
