"""The firm's notices page: newest first, in the reader's language; opening it marks them read."""

from django.shortcuts import render

from core.permissions import enterprise_required

from .notices import notices_for, notices_mark_read


@enterprise_required
def notice_list(request):
    notices = notices_for(enterprise=request.enterprise)
    notices_mark_read(enterprise=request.enterprise)
    return render(request, "enterprises/notice_list.html", {"notices": notices, "enterprise": request.enterprise})
