% rebase('base.tpl', title=_('Boxes'))
<h1>{{_("Boxes")}}</h1>
<p class="hint">{{_("Every box sharing this database. A box is offline when its last heartbeat is older than {seconds} seconds. This is box {box}.").format(seconds=offline_after, box=this_box)}}</p>
% if not boxes:
<p id="no-boxes">{{_("No box has written a heartbeat yet.")}}</p>
% else:
<div class="scroll">
<table id="boxes">
<thead><tr><th>{{_("Box")}}</th><th>{{_("State")}}</th><th>{{_("Last heartbeat")}}</th><th>{{_("Modems up")}}</th>
<th>{{_("Calls")}}</th><th>{{_("Version")}}</th></tr></thead>
<tbody>
% for box in boxes:
<tr data-name="{{box.name}}" data-state="{{'online' if box.online else 'offline'}}">
  <td>{{box.name}}{{(' (' + _('this box') + ')') if box.name == this_box else ''}}</td>
  <td>{{_('online') if box.online else _('offline')}}</td>
  <td>{{_('{duration} ago').format(duration=silence_text(box.silent_for))}}</td>
  <td>{{box.modems_up}}/{{box.modems_total}}</td>
  <td>{{box.active_calls}}</td>
  <td>{{box.version}}</td>
</tr>
% end
</tbody>
</table>
</div>
% end
